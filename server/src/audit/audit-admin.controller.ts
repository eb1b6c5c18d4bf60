import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AUDIT_EXPORT_MAX_ROWS, type AuditEntry, type Page } from '@shoal/contract';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../common/decorators.js';
import type { AuthenticatedUser } from '../common/principals.js';
import { AUDIT_CSV_HEADER, auditCsvLine, auditCsvRow } from './audit-csv.js';
import { AuditService } from './audit.service.js';
import { AuditFilterDto, AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/audit')
export class AuditAdminController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit log, newest first, filtered by actor, action, target (id or name) and time' })
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(query, query.page, query.size);
  }

  @Get('export')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: `The filtered audit log as CSV, newest first (at most ${AUDIT_EXPORT_MAX_ROWS.toLocaleString('en-US')} entries); the export itself is audited`,
  })
  async export(
    @Query() filter: AuditFilterDto,
    @CurrentUser() actor: AuthenticatedUser,
    @Res() res: Response,
  ): Promise<void> {
    // Recorded before the rows are read, so the export lists itself: nobody takes the log unseen.
    const filters = Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    await this.audit.record('audit.export', actor, { detail: filters || 'everything' });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="shoal-audit-${stamp}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.write(auditCsvLine(AUDIT_CSV_HEADER));
    try {
      for await (const batch of this.audit.export(filter, AUDIT_EXPORT_MAX_ROWS)) {
        // Waits for a slow reader instead of buffering the whole log in memory.
        if (!res.write(batch.map(auditCsvRow).join(''))) await new Promise((r) => res.once('drain', r));
        if (res.destroyed) return;
      }
    } catch (err) {
      // The header is sent: all that can be done is cut the file short, which the reader sees.
      res.destroy(err as Error);
      return;
    }
    res.end();
  }
}
