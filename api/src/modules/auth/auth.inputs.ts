import { IsEmail, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { Gender } from '../users/gender';

/** Members must be 18 or older in the current calendar year; years before 1900 are typos. */
@ValidatorConstraint({ name: 'adultBirthYear' })
export class AdultBirthYear implements ValidatorConstraintInterface {
  validate(year: unknown): boolean {
    return typeof year === 'number' && year <= new Date().getUTCFullYear() - 18;
  }
  defaultMessage(): string {
    return `birthYear must be ${new Date().getUTCFullYear() - 18} or earlier (members are 18+)`;
  }
}

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

  @Field(() => Int, { nullable: true, description: 'Optional year of birth; members must be 18+' })
  @IsOptional()
  @IsInt()
  @Min(1900, { message: 'birthYear must be 1900 or later' })
  @Max(9999)
  @Validate(AdultBirthYear)
  birthYear?: number;

  @Field(() => String, { nullable: true, description: 'The 6-digit code from requestEmailCode (required when the server verifies emails)' })
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
