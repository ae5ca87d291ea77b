import { IsOptional, Length } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { IsOptionalBirthYear } from './birth-year';
import { Gender } from './gender';

@InputType({ description: 'Profile fields to change; absent fields stay as they are, null clears gender or birthYear' })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: 'Display name, 2 to 20 characters' })
  @IsOptional()
  @Length(2, 20, { message: 'nickname must be 2 to 20 characters long' })
  nickname?: string | null;

  @Field(() => Gender, { nullable: true, description: 'Self-described gender (null clears it)' })
  @IsOptional()
  gender?: Gender | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Year of birth (null clears it); members must be adults (ADULT_AGE: trustPolicy.maxAdultBirthYear or earlier)',
  })
  @IsOptionalBirthYear()
  birthYear?: number | null;
}
