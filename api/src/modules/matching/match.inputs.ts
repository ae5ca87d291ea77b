import { IsInt, IsLatitude, IsLongitude, Max, Min } from 'class-validator';
import { Field, Float, InputType, Int } from 'type-graphql';

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
}
