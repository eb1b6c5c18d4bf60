import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ANNOUNCE_EVENTS, LIMITS, type AnnounceEvent } from '@shoal/contract';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AcceptsUnknownFields } from '../../common/validation.js';

export const LISTEN_ADDRESS_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([1-9]\d{0,4})$/;

@AcceptsUnknownFields()
export class AnnounceDto {
  @ApiProperty()
  @IsUUID()
  resourceId!: string;

  @ApiProperty({ enum: ANNOUNCE_EVENTS })
  @IsIn(ANNOUNCE_EVENTS)
  event!: AnnounceEvent;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxTotalSize)
  left!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  uploaded!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  downloaded!: number;

  @ApiPropertyOptional({ type: [String], example: ['10.0.0.5:7070'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.maxListenAddresses)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  @Matches(LISTEN_ADDRESS_PATTERN, { each: true, message: 'each address must be host:port' })
  addresses?: string[];

  @ApiPropertyOptional({ maximum: LIMITS.maxPeersPerAnnounce })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxPeersPerAnnounce)
  numWant?: number;
}
