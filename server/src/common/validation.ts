import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';

function flatten(errors: ValidationError[], prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const err of errors) {
    const field = prefix ? `${prefix}.${err.property}` : err.property;
    if (err.constraints) out[field] = Object.values(err.constraints).join('; ');
    if (err.children?.length) flatten(err.children, field, out);
  }
  return out;
}

/**
 * The reason as one sentence that names its field once: class-validator's own messages
 * start with the property ("name must be ..."), custom ones may not ("each tag must ...").
 */
function namingField(field: string, reason: string): string {
  const property = field.slice(field.lastIndexOf('.') + 1);
  return reason.startsWith(`${property} `) ? reason : `${field}: ${reason}`;
}

/**
 * Validation of every body and query: unknown fields are an error naming the field
 * (unless the DTO accepts them), query strings become their declared types, and a bad
 * input is answered 400 `validation_failed` with every bad field and why.
 */
function pipe(opts: { allowUnknownFields?: boolean } = {}): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: !opts.allowUnknownFields,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const message = Object.entries(fields)
        .map(([f, m]) => namingField(f, m))
        .join('; ');
      return new BadRequestException({ code: 'validation_failed', message, errors: fields });
    },
  });
}

const ACCEPTS_UNKNOWN_FIELDS = Symbol('shoal:accepts-unknown-fields');

/**
 * For bodies agents send (heartbeats, announces): unknown fields are dropped instead of
 * refused, so an agent one version ahead of the server keeps working during a rollout.
 * Every known field is still validated.
 */
export function AcceptsUnknownFields(): ClassDecorator {
  return (target) => Reflect.defineMetadata(ACCEPTS_UNKNOWN_FIELDS, true, target);
}

/** The one global pipe, strict by default and lenient for DTOs marked @AcceptsUnknownFields(). */
export function createValidationPipe(): ValidationPipe {
  const strict = pipe();
  const lenient = pipe({ allowUnknownFields: true });
  return new (class extends ValidationPipe {
    override transform(value: unknown, metadata: ArgumentMetadata) {
      const marked = metadata.metatype && Reflect.getMetadata(ACCEPTS_UNKNOWN_FIELDS, metadata.metatype);
      return (marked ? lenient : strict).transform(value, metadata);
    }
  })();
}
