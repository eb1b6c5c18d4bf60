import { BadRequestException, Controller, HttpException, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ResourceDetail } from '@shoal/contract';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { BuiltinSeedService } from './builtin-seed.service.js';
import { UploadQueryDto } from './upload.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/uploads')
export class UploadAdminController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seed: BuiltinSeedService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Streams the request body to disk (never into memory, so multi-GB files work), then
   * hashes, publishes and serves it from the built-in seed. A cancelled upload leaves
   * nothing behind.
   */
  @Post()
  @ApiOperation({ summary: 'Upload a file to the built-in seed, which hashes, publishes and serves it' })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async upload(
    @Query() query: UploadQueryDto,
    @Req() req: Request,
    @CurrentUser() actor: AuthenticatedUser,
  ): Promise<ResourceDetail> {
    if (!this.seed.enabled) {
      throw new HttpException(
        { code: 'builtin_seed_off', message: 'the built-in seed is switched off on this server' },
        503,
      );
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.config.maxUploadBytes) {
      throw new HttpException(
        { code: 'payload_too_large', message: `uploads are limited to ${this.config.maxUploadBytes} bytes` },
        413,
      );
    }
    const fileName =
      query.filename ?? (query.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'upload.bin');
    const dir = join(this.seed.uploadsDir, randomUUID());
    await mkdir(dir, { recursive: true });
    let size = 0;
    const limit = this.config.maxUploadBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit)
          done(new HttpException({ code: 'payload_too_large', message: `uploads are limited to ${limit} bytes` }, 413));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, counter, createWriteStream(join(dir, fileName), { flags: 'wx' }));
      if (Number.isFinite(declared) && size !== declared)
        throw new BadRequestException({ code: 'upload_incomplete', message: 'the upload ended early' });
      const detail = await this.seed.publishUpload(
        dir,
        fileName,
        size,
        { name: query.name, description: query.description },
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
