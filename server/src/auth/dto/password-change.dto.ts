import { ApiProperty } from '@nestjs/swagger';
import { PASSWORD_LENGTH, type PasswordChangeRequest } from '@shoal/contract';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class PasswordChangeDto implements PasswordChangeRequest {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_LENGTH.max)
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max })
  @IsString()
  @MinLength(PASSWORD_LENGTH.min)
  @MaxLength(PASSWORD_LENGTH.max)
  newPassword!: string;
}
