import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import type { SafetyService } from './safety.service';

@Resolver()
export class SafetyResolver {
  constructor(private readonly safety: SafetyService) {}

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Blocks a user: you leave every room you share (the open ones close, all are gone for you) and you are never matched again',
  })
  async blockUser(
    @Arg('userId', () => ID, { description: 'The user to block' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.safety.block(viewerId(ctx), userId);
    return true;
  }
}
