import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { LIMITS, NOT_BLANK, RESOURCE_SORT_FIELDS, TAG_PATTERN, TAG_RULE } from '@shoal/contract';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
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
import type { ResourceSort } from '../search/search-request.js';

export class FileEntryDto {
  @ApiProperty({ example: 'images/disk.qcow2' })
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.maxPathLength)
  path!: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxTotalSize)
  size!: number;
}

export class ResourceAdminPublishDto {
  @ApiProperty({ maxLength: LIMITS.maxNameLength })
  @IsString()
  @MaxLength(LIMITS.maxNameLength)
  @Matches(NOT_BLANK, { message: 'name must not be empty or only spaces' })
  name!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.maxDescriptionLength })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.maxDescriptionLength)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.maxTags)
  @Matches(TAG_PATTERN, { each: true, message: `each tag must ${TAG_RULE}` })
  tags?: string[];

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(LIMITS.maxTotalSize)
  totalSize!: number;

  @ApiProperty({ description: 'a power of two' })
  @IsInt()
  @Min(LIMITS.minPieceSize)
  @Max(LIMITS.maxPieceSize)
  pieceSize!: number;

  @ApiProperty({ type: [FileEntryDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LIMITS.maxFiles)
  @ValidateNested({ each: true })
  @Type(() => FileEntryDto)
  files!: FileEntryDto[];

  @ApiProperty({ type: [String], description: 'SHA-256 of each piece, lower-case hex' })
  @IsArray()
  @ArrayMaxSize(LIMITS.maxPieces)
  @Matches(/^[0-9a-f]{64}$/, { each: true, message: 'each piece hash must be 64 lower-case hex characters' })
  pieceHashes!: string[];
}

/** Name, description and tags, each optional, with the same rules as at publish. */
export class ResourceAdminUpdateDto extends PartialType(
  PickType(ResourceAdminPublishDto, ['name', 'description', 'tags']),
) {}

export class ResourceListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: `one of ${RESOURCE_SORT_FIELDS.join(', ')}; prefix "-" for descending`,
    default: '-created',
  })
  @IsOptional()
  @IsString()
  @Matches(new RegExp(`^-?(${RESOURCE_SORT_FIELDS.join('|')})$`), {
    message: `sort must be one of ${RESOURCE_SORT_FIELDS.join(', ')}, optionally prefixed with "-"`,
  })
  sort?: ResourceSort;

  @ApiPropertyOptional({ description: 'only resources with this tag (exact, case-insensitive)' })
  @IsOptional()
  @IsString()
  @Matches(TAG_PATTERN, { message: `tag must ${TAG_RULE}` })
  tag?: string;
}

export class ManifestQueryDto {
  @ApiPropertyOptional({ description: 'bind the download ticket to this node' })
  @IsOptional()
  @IsUUID()
  node?: string;
}
