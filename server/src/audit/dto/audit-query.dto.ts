import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { AUDIT_ACTIONS, type AuditAction, type AuditFilter } from '@shoal/contract';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto.js';

/** The audit log's filters, shared by the page (with paging) and the CSV export. */
export class AuditFilterDto implements AuditFilter {
  @ApiPropertyOptional({ description: 'exact username of who did it', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actor?: string;

  @ApiPropertyOptional({ enum: Object.keys(AUDIT_ACTIONS) })
  @IsOptional()
  @IsIn(Object.keys(AUDIT_ACTIONS), { message: `action must be one of ${Object.keys(AUDIT_ACTIONS).join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ description: 'a resource, node or user: its id or its exact name', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or instant' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant, exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or instant' })
  to?: string;
}

/** The page of the log: the filters plus `page` and `size` (its `q` is unused: filters say more). */
export class AuditQueryDto extends IntersectionType(PageQueryDto, AuditFilterDto) {}
