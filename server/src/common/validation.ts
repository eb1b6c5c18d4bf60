import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

function flatten(errors: ValidationError[], prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const err of errors) {
    const field = prefix ? `${prefix}.${err.property}` : err.property;
    if (err.constraints) out[field] = Object.values(err.constraints).join('; ');
    if (err.children?.length) flatten(err.children, field, out);
  }
  return out;
}

/**
 * The one global pipe: strips nothing silently — unknown fields are an error naming the
 * field — converts query strings to their declared types, and answers 400
 * `validation_failed` with every bad field and why.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const message = Object.entries(fields)
        .map(([f, m]) => `${f}: ${m}`)
        .join('; ');
      return new BadRequestException({ code: 'validation_failed', message, errors: fields });
    },
  });
}
