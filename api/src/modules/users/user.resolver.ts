import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import { UpdateProfileInput } from './profile.inputs';
import type { ProfileService } from './profile.service';
import { toUserObject, UserObject } from './user.types';

@Resolver(() => UserObject)
export class UserResolver {
  constructor(private readonly profile: ProfileService) {}

  @Authorized()
  @Query(() => UserObject, { description: 'The signed-in user (the only place their email is visible)' })
  async me(@Ctx() ctx: Context): Promise<UserObject> {
    return toUserObject(await this.profile.me(viewerId(ctx)), viewerId(ctx));
  }

  @Authorized()
  @Mutation(() => UserObject, { description: 'Changes your nickname, gender or birth year' })
  async updateProfile(
    @Arg('input', () => UpdateProfileInput, { description: 'The fields to change' }) input: UpdateProfileInput,
    @Ctx() ctx: Context,
  ): Promise<UserObject> {
    return toUserObject(await this.profile.update(ctx.em, viewerId(ctx), input), viewerId(ctx));
  }
}
