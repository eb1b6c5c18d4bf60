import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { PLAIN_FILE_NAME } from '@shoal/contract';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ResourceAdminPublishDto } from '../resources/dto/resource.dto.js';

/**
 * The `metadata` part of an upload (JSON), sent before the file: name, description and
 * tags with the same rules as any publish, and the file's name inside the resource.
 */
export class UploadMetadataDto extends PickType(ResourceAdminPublishDto, ['name', 'description', 'tags']) {
  @ApiPropertyOptional({
    description: "file name inside the resource (default: the part's file name, else derived from the name)",
  })
  @IsOptional()
  @IsString()
  @Matches(PLAIN_FILE_NAME, {
    message: 'filename must be a plain file name (no "/", "\\", ":" or control characters)',
  })
  filename?: string;
}
