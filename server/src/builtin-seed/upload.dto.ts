import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LIMITS } from '@shoal/contract';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class UploadQueryDto {
  @ApiProperty({ description: 'resource name', maxLength: LIMITS.maxNameLength })
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.maxNameLength)
  name!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.maxDescriptionLength })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.maxDescriptionLength)
  description?: string;

  @ApiPropertyOptional({ description: 'file name inside the resource (default: derived from the name)' })
  @IsOptional()
  @IsString()
  @Matches(/^(?!\.{1,2}$)[^/\\\u0000-\u001f:]{1,255}$/, {
    message: 'filename must be a plain file name (no "/", "\\", ":" or control characters)',
  })
  filename?: string;
}
