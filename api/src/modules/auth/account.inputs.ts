import { IsEmail, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new password, with the mailed reset token' })
export class ResetPasswordInput {
  @Field({ description: 'The token from the reset mail' })
  @Length(1, 200, { message: 'token must be the token from the mail' })
  token!: string;

  @Field({ description: '8 to 128 characters' })
  @Length(8, 128, { message: 'newPassword must be 8 to 128 characters long' })
  newPassword!: string;
}

@InputType({ description: 'Your current password and the new one' })
export class ChangePasswordInput {
  @Field({ description: 'Your current password' })
  @Length(1, 128, { message: 'currentPassword must be 1 to 128 characters long' })
  currentPassword!: string;

  @Field({ description: '8 to 128 characters' })
  @Length(8, 128, { message: 'newPassword must be 8 to 128 characters long' })
  newPassword!: string;
}

@InputType({ description: 'The locked account and the mailed unlock code' })
export class UnlockAccountInput {
  @Field({ description: 'Login email' })
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @Field({ description: 'The 6-digit code from the mail' })
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits from the mail' })
  code!: string;
}
