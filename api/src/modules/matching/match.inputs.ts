import { ArrayMaxSize, IsInt, IsLatitude, IsLongitude, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { Field, Float, InputType, Int } from 'type-graphql';
import { Gender } from '../users';

/** Ages a preference may name: members are adults, and nobody is older than this. */
export const PREFERENCE_AGES = { min: 18, max: 120 } as const;
const ageMessage = (name: string) =>
  `${name} must be a whole number of years between ${PREFERENCE_AGES.min} and ${PREFERENCE_AGES.max}`;

@InputType({
  description:
    'Whom you want to meet. Preferences are mutual: you are only offered people whose own preferences accept you, and a preference about something a person did not state (gender, birth year) is not met by them. Free for everyone.',
})
export class MatchPreferencesInput {
  @Field(() => [Gender], { nullable: true, description: 'Genders you accept; empty or absent: anyone' })
  @IsOptional()
  @ArrayMaxSize(3)
  genders?: Gender[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The youngest age you accept (the age a person turns this calendar year)',
  })
  @IsOptional()
  @IsInt({ message: ageMessage('minAge') })
  @Min(PREFERENCE_AGES.min, { message: ageMessage('minAge') })
  @Max(PREFERENCE_AGES.max, { message: ageMessage('minAge') })
  minAge?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The oldest age you accept (the age a person turns this calendar year)',
  })
  @IsOptional()
  @IsInt({ message: ageMessage('maxAge') })
  @Min(PREFERENCE_AGES.min, { message: ageMessage('maxAge') })
  @Max(PREFERENCE_AGES.max, { message: ageMessage('maxAge') })
  maxAge?: number | null;
}

@InputType({
  description:
    'Where you are and how far you are willing to go. Coordinates are snapped to a ~1 km grid and never stored in the database or shown to anyone.',
})
export class MatchRequestInput {
  @Field(() => Float, { description: 'Latitude in degrees, -90..90' })
  @IsLatitude({ message: 'latitude must be a number between -90 and 90' })
  latitude!: number;

  @Field(() => Float, { description: 'Longitude in degrees, -180..180' })
  @IsLongitude({ message: 'longitude must be a number between -180 and 180' })
  longitude!: number;

  @Field(() => Int, { description: 'Search radius in km, 1..100; a partner must be within both radii' })
  @IsInt()
  @Min(1, { message: 'radiusKm must be between 1 and 100' })
  @Max(100, { message: 'radiusKm must be between 1 and 100' })
  radiusKm!: number;

  @Field(() => MatchPreferencesInput, { nullable: true, description: 'Whom you want to meet; absent: anyone' })
  @IsOptional()
  @ValidateNested()
  preferences?: MatchPreferencesInput | null;
}
