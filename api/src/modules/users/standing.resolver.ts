import { Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import type { StandingService } from './standing.service';
import { WarningObject } from './standing.types';
import { UserObject } from './user.types';
import { UserRole } from './user-role';

/** The role and warning fields of User, and dismissing a warning. */
@Resolver(() => UserObject)
export class StandingResolver {
  constructor(private readonly standing: StandingService) {}

  @FieldResolver(() => UserRole, {
    nullable: true,
    description: "The account's role; null unless this is your own account or you are a moderator",
  })
  async role(@Root() user: UserObject, @Ctx() ctx: Context): Promise<UserRole | null> {
    if (user.ownView) return this.standing.roleOf(user.id);
    const viewer = ctx.auth.user?.userId;
    if (!viewer || (await this.standing.roleOf(viewer)) !== UserRole.MODERATOR) return null;
    return this.standing.roleOf(user.id);
  }

  @FieldResolver(() => WarningObject, {
    nullable: true,
    description: "A moderator's warning you have not dismissed (dismissWarning); null for anyone else's account",
  })
  async warning(@Root() user: UserObject): Promise<WarningObject | null> {
    if (!user.ownView) return null;
    const warning = await this.standing.warningOf(user.id);
    return warning ? Object.assign(new WarningObject(), warning) : null;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Dismisses your warning after reading it; false when there was none' })
  dismissWarning(@Ctx() ctx: Context): Promise<boolean> {
    return this.standing.dismissWarning(viewerId(ctx));
  }
}
