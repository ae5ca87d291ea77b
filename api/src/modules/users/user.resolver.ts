import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../infra/graphql/context';
import type { MediaService } from '../media/media.service';
import { ImageObject } from '../media/image.types';
import { uploadLoader } from '../media/upload-loader';
import type { AccountDeletionService } from './account-deletion.service';
import { UpdateProfileInput } from './profile.inputs';
import type { ProfileService } from './profile.service';
import { toUserObject, UserObject } from './user.types';

const viewer = (ctx: Context) => ctx.auth.user!.userId;

@Resolver(() => UserObject)
export class UserResolver {
  constructor(
    private readonly profile: ProfileService,
    private readonly media: MediaService,
    private readonly deletion: AccountDeletionService,
  ) {}

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Deletes your account for good: email, password, profile, photo, sessions and blocks are erased, your open rooms close ' +
      '(ACCOUNT_DELETED); peers keep their history with you shown as a deleted user',
  })
  async deleteAccount(
    @Arg('password', { description: 'Your current password, to confirm' }) password: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.deletion.deleteAccount(viewer(ctx), password);
    return true;
  }

  @Authorized()
  @Query(() => UserObject, { description: 'The signed-in user (the only place their email is visible)' })
  async me(@Ctx() ctx: Context): Promise<UserObject> {
    return toUserObject(await this.profile.me(ctx.em, viewer(ctx)), viewer(ctx));
  }

  @Authorized()
  @Mutation(() => UserObject, { description: 'Changes your nickname, gender or birth year' })
  async updateProfile(
    @Arg('input', () => UpdateProfileInput, { description: 'The fields to change' }) input: UpdateProfileInput,
    @Ctx() ctx: Context,
  ): Promise<UserObject> {
    return toUserObject(await this.profile.update(ctx.em, viewer(ctx), input), viewer(ctx));
  }

  @Authorized()
  @Mutation(() => UserObject, {
    description: 'Makes one of your uploads (POST /uploads) your profile photo; the previous photo is deleted',
  })
  async setProfilePhoto(
    @Arg('uploadId', () => ID, { description: 'The id POST /uploads returned' }) uploadId: string,
    @Ctx() ctx: Context,
  ): Promise<UserObject> {
    return toUserObject(await this.profile.setPhoto(ctx.em, viewer(ctx), uploadId), viewer(ctx));
  }

  @Authorized()
  @Mutation(() => UserObject, { description: 'Removes your profile photo (and deletes the stored image)' })
  async removeProfilePhoto(@Ctx() ctx: Context): Promise<UserObject> {
    return toUserObject(await this.profile.removePhoto(ctx.em, viewer(ctx)), viewer(ctx));
  }

  @FieldResolver(() => ImageObject, { nullable: true, description: 'Profile photo, if set (short-lived signed URLs)' })
  async photo(@Root() user: UserObject, @Ctx() ctx: Context): Promise<ImageObject | null> {
    if (!user.photoId) return null;
    const upload = await uploadLoader(ctx.em).load(user.photoId);
    return upload ? this.media.imageView(upload) : null;
  }
}
