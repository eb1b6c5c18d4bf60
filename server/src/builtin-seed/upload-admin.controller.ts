import { BadRequestException, Controller, HttpException, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PLAIN_FILE_NAME, type ResourceDetail } from '@shoal/contract';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles, TokenScope } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { createValidationPipe } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { BuiltinSeedService } from './builtin-seed.service.js';
import { receiveUpload } from './multipart-upload.js';
import { UploadMetadataDto } from './upload.dto.js';

/** Room for the multipart framing and the metadata part around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 128 * 1024;

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@TokenScope('publish')
@Controller('api/admin/uploads')
export class UploadAdminController {
  private readonly validation = createValidationPipe();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seed: BuiltinSeedService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Streams the file part to disk (never into memory, so multi-GB files work), then
   * hashes, publishes and serves it from the built-in seed. The metadata travels in the
   * body too (a URL or header would cap a description's length). A cancelled or refused
   * upload leaves nothing behind.
   */
  @Post()
  @ApiOperation({
    summary:
      'Upload a file to the built-in seed, which hashes, publishes and serves it: multipart/form-data with a "metadata" JSON field ({name, description?, tags?, filename?}) first, then the "file"',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['metadata', 'file'],
      properties: { metadata: { type: 'string', description: 'JSON' }, file: { type: 'string', format: 'binary' } },
    },
  })
  async upload(@Req() req: Request, @CurrentUser() actor: AuthenticatedUser): Promise<ResourceDetail> {
    if (!this.seed.enabled) {
      throw new HttpException(
        { code: 'builtin_seed_off', message: 'the built-in seed is switched off on this server' },
        503,
      );
    }
    const limit = this.config.maxUploadBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD_BYTES) {
      throw new HttpException({ code: 'payload_too_large', message: `uploads are limited to ${limit} bytes` }, 413);
    }
    const dir = join(this.seed.uploadsDir, randomUUID());
    let fileName = '';
    try {
      const { metadata, size } = await receiveUpload(req, limit, async (raw, partFileName) => {
        const metadata = (await this.validation.transform(raw, {
          type: 'body',
          metatype: UploadMetadataDto,
        })) as UploadMetadataDto;
        fileName = metadata.filename ?? plainOrUndefined(partFileName) ?? fileNameFrom(metadata.name);
        await mkdir(dir, { recursive: true });
        return { metadata, target: { path: join(dir, fileName) } };
      });
      const detail = await this.seed.publishUpload(
        dir,
        fileName,
        size,
        { name: metadata.name, description: metadata.description, tags: metadata.tags },
        actor,
      );
      await this.audit.record('resource.upload', actor, { resourceId: detail.id });
      return detail;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (err instanceof HttpException) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || req.destroyed) {
        throw new BadRequestException({ code: 'upload_cancelled', message: 'the upload was cancelled' });
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new HttpException({ code: 'disk_full', message: 'the server has no space left for this upload' }, 507);
      }
      throw err;
    }
  }
}

function plainOrUndefined(name: string | undefined): string | undefined {
  return name && PLAIN_FILE_NAME.test(name) ? name : undefined;
}

function fileNameFrom(resourceName: string): string {
  return resourceName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'upload.bin';
}
