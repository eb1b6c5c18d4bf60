import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ENROLLMENT_TOKEN_STATES,
  LIMITS,
  NODE_NAME_PATTERN,
  NODE_NAME_RULE,
  NODE_ROLES,
  NODE_SORT_FIELDS,
  SITE_PATTERN,
  SITE_RULE,
  TOKEN_LIFETIMES,
  type EnrollmentTokenState,
  type NodeRole,
} from '@shoal/contract';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { DownloadReportDto } from '../../download-requests/download-requests.dto.js';
import { AcceptsUnknownFields } from '../../common/validation.js';
import { LISTEN_ADDRESS_PATTERN } from '../../tracker/dto/announce.dto.js';

export class PublicKeyJwkDto {
  @ApiProperty({ enum: ['OKP'] })
  @IsIn(['OKP'])
  kty!: 'OKP';

  @ApiProperty({ enum: ['Ed25519'] })
  @IsIn(['Ed25519'])
  crv!: 'Ed25519';

  @ApiProperty({ description: 'base64url of the 32-byte public key' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'x must be a base64url Ed25519 public key (43 characters)' })
  x!: string;
}

export class EnrollDto {
  @ApiPropertyOptional({ description: 'one-time enrollment token; not needed for a client enrolled with a user token' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  token?: string;

  @ApiProperty({ example: 'seed-fra-01' })
  @IsString()
  @Matches(NODE_NAME_PATTERN, { message: `name ${NODE_NAME_RULE}` })
  name!: string;

  @ApiProperty({ enum: NODE_ROLES })
  @IsIn(NODE_ROLES)
  role!: NodeRole;

  @ApiPropertyOptional({ example: 'fra' })
  @IsOptional()
  @Matches(SITE_PATTERN, { message: `site ${SITE_RULE}` })
  site?: string;

  @ApiProperty({ type: [String], example: ['10.0.0.5:7070'] })
  @IsArray()
  @ArrayMaxSize(LIMITS.maxListenAddresses)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  @Matches(LISTEN_ADDRESS_PATTERN, { each: true, message: 'each address must be host:port' })
  addresses!: string[];

  @ApiProperty({ type: PublicKeyJwkDto })
  @ValidateNested()
  @Type(() => PublicKeyJwkDto)
  publicKey!: PublicKeyJwkDto;
}

export class PreheatReportDto {
  @ApiProperty()
  @IsUUID()
  jobId!: string;

  @ApiProperty({ enum: ['running', 'done', 'failed'] })
  @IsIn(['running', 'done', 'failed'])
  state!: 'running' | 'done' | 'failed';

  @ApiProperty({ minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  percent!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  error?: string;
}

@AcceptsUnknownFields()
export class HoldingDto {
  @ApiProperty()
  @IsUUID()
  resourceId!: string;

  @ApiProperty()
  @IsBoolean()
  complete!: boolean;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxPieces)
  piecesHeld!: number;
}

@AcceptsUnknownFields()
export class HeartbeatDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.maxListenAddresses)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  @Matches(LISTEN_ADDRESS_PATTERN, { each: true, message: 'each address must be host:port' })
  addresses?: string[];

  @ApiProperty({ type: [HoldingDto] })
  @IsArray()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => HoldingDto)
  holdings!: HoldingDto[];

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  uploadedBytes!: number;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  downloadedBytes!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  uploadedToPeersBytes?: number;

  @ApiPropertyOptional({ type: [PreheatReportDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => PreheatReportDto)
  preheat?: PreheatReportDto[];

  @ApiPropertyOptional({ type: [DownloadReportDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => DownloadReportDto)
  downloads?: DownloadReportDto[];

  @ApiPropertyOptional({ description: 'The agent is stopping: final counters, offline from now on' })
  @IsOptional()
  @IsBoolean()
  leaving?: boolean;
}

export class EnrollmentTokenCreateDto {
  @ApiPropertyOptional({
    minimum: TOKEN_LIFETIMES.enrollmentTokenMinSeconds,
    maximum: TOKEN_LIFETIMES.enrollmentTokenMaxSeconds,
    default: TOKEN_LIFETIMES.enrollmentTokenDefaultSeconds,
  })
  @IsOptional()
  @IsInt()
  @Min(TOKEN_LIFETIMES.enrollmentTokenMinSeconds)
  @Max(TOKEN_LIFETIMES.enrollmentTokenMaxSeconds)
  ttlSeconds?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: LIMITS.enrollmentTokenMaxUses,
    default: 1,
    description: 'how many machines the token enrolls, each with its own key; 1 is a one-time token',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.enrollmentTokenMaxUses)
  maxUses?: number;

  @ApiPropertyOptional({ enum: NODE_ROLES, default: 'seed' })
  @IsOptional()
  @IsIn(NODE_ROLES)
  role?: NodeRole;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(SITE_PATTERN, { message: `site ${SITE_RULE}` })
  site?: string;
}

export class EnrollmentTokenListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ENROLLMENT_TOKEN_STATES, description: 'only tokens in this state (default: all)' })
  @IsOptional()
  @IsIn(ENROLLMENT_TOKEN_STATES)
  state?: EnrollmentTokenState;
}

export class NodeListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: NODE_ROLES })
  @IsOptional()
  @IsIn(NODE_ROLES)
  role?: NodeRole;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  online?: 'true' | 'false';

  @ApiPropertyOptional({ description: `one of ${NODE_SORT_FIELDS.join(', ')}; prefix "-" for descending` })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @Matches(new RegExp(`^-?(${NODE_SORT_FIELDS.join('|')})$`), {
    message: `sort must be one of ${NODE_SORT_FIELDS.join(', ')}, optionally prefixed with "-"`,
  })
  sort?: string;
}
