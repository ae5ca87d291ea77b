import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../infra/graphql/context';
import { NotFoundError } from '../../infra/graphql/errors';
import { User } from './user.entity';
import { toUserObject, UserObject } from './user.types';

@Resolver(() => UserObject)
export class UserResolver {
  @Authorized()
  @Query(() => UserObject, { description: 'The signed-in user (the only place their email is visible)' })
  async me(@Ctx() ctx: Context): Promise<UserObject> {
    const user = await ctx.em.findOne(User, { id: ctx.auth.user!.userId }, { connectionType: 'write' });
    if (!user) throw new NotFoundError('Your account no longer exists');
    return toUserObject(user, user.id);
  }

}
