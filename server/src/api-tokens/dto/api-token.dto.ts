import { ApiProperty } from '@nestjs/swagger';
import {
  API_TOKEN_LIMITS,
  API_TOKEN_SCOPES,
  NOT_BLANK,
  type ApiTokenCreateRequest,
  type ApiTokenScope,
} from '@shoal/contract';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** No control characters: the name is shown in lists and written to the audit log. */
const PRINTABLE = /^[^\p{Cc}]*$/u;

export class ApiTokenCreateDto implements ApiTokenCreateRequest {
  @ApiProperty({ example: 'nightly build', maxLength: API_TOKEN_LIMITS.maxNameLength })
  @IsString()
  @MaxLength(API_TOKEN_LIMITS.maxNameLength)
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  @Matches(PRINTABLE, { message: 'name must not hold control characters' })
  name!: string;

  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true, example: ['catalog:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_TOKEN_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_TOKEN_SCOPES, { each: true, message: `each scope must be one of ${API_TOKEN_SCOPES.join(', ')}` })
  scopes!: ApiTokenScope[];

  @ApiProperty({ minimum: 1, maximum: API_TOKEN_LIMITS.maxExpiresInDays, example: 90 })
  @IsInt()
  @Min(1)
  @Max(API_TOKEN_LIMITS.maxExpiresInDays)
  expiresInDays!: number;
}
