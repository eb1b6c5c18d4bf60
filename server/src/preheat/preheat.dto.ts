import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID, Matches } from 'class-validator';

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
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'site must be 1-64 letters, digits, ".", "_" or "-"' })
  site?: string;
}

export class PreheatListQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  resourceId?: string;
}
