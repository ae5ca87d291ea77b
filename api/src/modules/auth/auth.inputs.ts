import { IsEmail, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { Gender, IsOptionalBirthYear } from '../users';

@InputType({ description: 'A new account' })
export class SignUpInput {
  @Field({ description: 'Login email; case-insensitive, unique' })
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @Field({ description: '8 to 128 characters' })
  @Length(8, 128, { message: 'password must be 8 to 128 characters long' })
  password!: string;

  @Field({ description: 'Display name, 2 to 20 characters' })
  @Length(2, 20, { message: 'nickname must be 2 to 20 characters long' })
  nickname!: string;

  @Field(() => Gender, { nullable: true, description: 'Optional self-described gender' })
  @IsOptional()
  gender?: Gender;

  @Field(() => Int, {
    nullable: true,
    description: 'Optional year of birth; members must be adults (ADULT_AGE: trustPolicy.maxAdultBirthYear or earlier)',
  })
  @IsOptionalBirthYear()
  birthYear?: number;

  @Field(() => String, {
    nullable: true,
    description: 'The 6-digit code from requestEmailCode (required when the server verifies emails)',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'emailCode must be the 6 digits from the mail' })
  emailCode?: string | null;
}

@InputType({ description: 'Credentials of an existing account' })
export class LogInInput {
  @Field({ description: 'Login email' })
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @Field({ description: 'Password' })
  @Length(1, 128, { message: 'password must be 1 to 128 characters long' })
  password!: string;
}
