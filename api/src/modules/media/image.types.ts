import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('Image', {
  description: 'An uploaded image, served through short-lived signed URLs (metadata stripped, WebP)',
})
export class ImageObject {
  @Field({
    description:
      'The full image (fits inside 1600x1600); the URL expires (MEDIA_URL_TTL, 1 hour by default): fetch the field again for a fresh one',
  })
  url!: string;

  @Field({ description: 'A thumbnail (fits inside 320x320); expires like `url`' })
  thumbnailUrl!: string;

  @Field(() => Int, { description: 'Width of the full image in pixels' })
  width!: number;

  @Field(() => Int, { description: 'Height of the full image in pixels' })
  height!: number;
}
