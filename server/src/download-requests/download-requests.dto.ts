import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DOWNLOAD_REQUEST_LIMITS, LIMITS } from '@shoal/contract';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class DownloadRequestCreateDto {
  @ApiProperty()
  @IsUUID()
  resourceId!: string;

  @ApiProperty({ description: 'one of your nodes (an admin: any node)' })
  @IsUUID()
  nodeId!: string;
}

/** One entry of a heartbeat's `downloads`. */
export class DownloadReportDto {
  @ApiProperty()
  @IsUUID()
  requestId!: string;

  @ApiProperty({ enum: ['running', 'done', 'failed'] })
  @IsIn(['running', 'done', 'failed'])
  state!: 'running' | 'done' | 'failed';

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxTotalSize)
  doneBytes!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxTotalSize)
  totalBytes!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(DOWNLOAD_REQUEST_LIMITS.maxErrorLength)
  error?: string;
}
