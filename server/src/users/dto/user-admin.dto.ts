import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PASSWORD_LENGTH, type UserRole } from '@shoal/contract';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const ROLES: UserRole[] = ['admin', 'member'];

export class UserAdminCreateDto {
  @ApiProperty({ example: 'alice', pattern: '^[a-zA-Z0-9._-]{2,64}$' })
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]{2,64}$/, { message: 'username must be 2-64 letters, digits, ".", "_" or "-"' })
  username!: string;

  @ApiProperty({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max })
  @IsString()
  @MinLength(PASSWORD_LENGTH.min)
  @MaxLength(PASSWORD_LENGTH.max)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: UserRole;
}

export class UserAdminUpdateDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: UserRole;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class UserAdminPasswordDto {
  @ApiProperty({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max })
  @IsString()
  @MinLength(PASSWORD_LENGTH.min)
  @MaxLength(PASSWORD_LENGTH.max)
  password!: string;
}
