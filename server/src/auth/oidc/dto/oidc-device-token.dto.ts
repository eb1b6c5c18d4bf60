import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class OidcDeviceTokenDto {
  @ApiProperty({ description: 'The handle from POST /api/auth/oidc/device' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  handle!: string;
}
