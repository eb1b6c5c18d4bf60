import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID, Matches } from 'class-validator';
import { SITE_PATTERN, SITE_RULE } from '@shoal/contract';

export class PreheatCreateDto {
  @ApiProperty()
  @IsUUID()
  resourceId!: string;

  @ApiPropertyOptional({ type: [String], description: 'seed servers to place it on' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  nodeIds?: string[];

  @ApiPropertyOptional({ description: 'or every seed server of this site' })
  @IsOptional()
  @Matches(SITE_PATTERN, { message: `site ${SITE_RULE}` })
  site?: string;
}

export class PreheatListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  resourceId?: string;
}
