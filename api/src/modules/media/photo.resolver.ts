import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import { toUserObject, UserObject } from '../users';
import { ImageObject } from './image.types';
import type { MediaService } from './media.service';
import type { PhotoService } from './photo.service';

/** The User type's photo, and the mutations that set it. */
@Resolver(() => UserObject)
export class PhotoResolver {
  constructor(
    private readonly photos: PhotoService,
    private readonly media: MediaService,
  ) {}

  @Authorized()
  @Mutation(() => UserObject, {
    description: 'Makes one of your uploads (POST /uploads) your profile photo; the previous photo is deleted',
  })
  async setProfilePhoto(
    @Arg('uploadId', () => ID, { description: 'The id POST /uploads returned' }) uploadId: string,
    @Ctx() ctx: Context,
  ): Promise<UserObject> {
    return toUserObject(await this.photos.setPhoto(ctx.em, viewerId(ctx), uploadId), viewerId(ctx));
  }

  @Authorized()
  @Mutation(() => UserObject, { description: 'Removes your profile photo (and deletes the stored image)' })
  async removeProfilePhoto(@Ctx() ctx: Context): Promise<UserObject> {
    return toUserObject(await this.photos.removePhoto(ctx.em, viewerId(ctx)), viewerId(ctx));
  }

  @FieldResolver(() => ImageObject, { nullable: true, description: 'Profile photo, if set (short-lived signed URLs)' })
  async photo(@Root() user: UserObject, @Ctx() ctx: Context): Promise<ImageObject | null> {
    return user.photoId ? this.media.imageById(ctx.em, user.photoId) : null;
  }
}
