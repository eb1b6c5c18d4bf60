import { ApiPropertyOptional } from '@nestjs/swagger';
import { LIMITS } from '@shoal/contract';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `q`, `page` (1-based) and `size` (capped) shared by every list endpoint. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'search text', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: LIMITS.maxPageSize, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxPageSize)
  size: number = 25;
}
