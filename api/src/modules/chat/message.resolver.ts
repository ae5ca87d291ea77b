import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../infra/graphql/context';
import { ImageObject, type MediaService } from '../media';
import { MessageObject } from './message.types';

/**
 * Message fields that need more than the row. Only members ever receive a message, so only they
 * get its image's signed URLs.
 */
@Resolver(() => MessageObject)
export class MessageResolver {
  constructor(private readonly media: MediaService) {}

  @FieldResolver(() => ImageObject, {
    nullable: true,
    description: 'The attached image, if any (short-lived signed URLs)',
  })
  async image(@Root() message: MessageObject, @Ctx() ctx: Context): Promise<ImageObject | null> {
    return message.imageId ? this.media.imageById(ctx.em, message.imageId) : null;
  }
}
