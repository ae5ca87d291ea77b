import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import { BadUserInputError, NotFoundError } from '../../infra/graphql/errors';
import { Block } from './block.entity';
import { User } from './user.entity';
import { UserBlocked } from './users.events';

export interface SafetyServiceDeps {
  orm: Orm;
  events: DomainEvents;
}

/** Blocks between members (reports belong to the moderation module). */
export class SafetyService {
  constructor(private readonly deps: SafetyServiceDeps) {}

  /** Blocks a user: stored, then announced (UserBlocked: shared rooms close, never matched again). Idempotent. */
  async block(userId: string, otherId: string): Promise<void> {
    if (otherId === userId) throw new BadUserInputError('You cannot block yourself', 'userId');
    const em = this.deps.orm.em.fork();
    await this.requireUser(em, otherId);
    try {
      await em.persistAndFlush(new Block(this.ref(em, userId), this.ref(em, otherId)));
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
    }
    await this.deps.events.emit(UserBlocked, { blockerId: userId, blockedId: otherId });
  }

  /** Everyone the user blocked or was blocked by, from the primary. */
  async blockedEither(userId: string): Promise<string[]> {
    const blocks = await this.deps.orm.em.fork().find(Block, { $or: [{ blocker: userId }, { blocked: userId }] });
    return blocks.map((b) => (b.blocker.id === userId ? b.blocked.id : b.blocker.id));
  }

  private ref(em: Em, id: string) {
    return em.getReference(User, id, { wrapped: true });
  }

  private async requireUser(em: Em, id: string): Promise<void> {
    if (!(await em.findOne(User, { id }, { fields: ['id'] }))) throw new NotFoundError(`No user ${id}`);
  }
}
