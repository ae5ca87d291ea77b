import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import { BadUserInputError, NotFoundError, RateLimitedError } from '../../infra/graphql/errors';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import { Block } from './block.entity';
import { Report } from './report.entity';
import { User } from './user.entity';
import { UserBlocked } from './users.events';

export const MAX_REASON_LENGTH = 1000;

const lengthOf = (s: string) => [...s].length;

export interface SafetyServiceDeps {
  orm: Orm;
  events: DomainEvents;
  /** Reports per user (REPORTS_PER_HOUR). */
  reportLimiter: RateLimiter;
}

/** Blocks and reports between members. */
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

  /** Stores a report for moderators (limited per reporter). */
  async report(userId: string, otherId: string, reason: string): Promise<void> {
    const text = reason.trim();
    if (lengthOf(text) < 1 || lengthOf(text) > MAX_REASON_LENGTH) {
      throw new BadUserInputError(`reason must be 1 to ${MAX_REASON_LENGTH} characters after trimming`, 'reason');
    }
    if (otherId === userId) throw new BadUserInputError('You cannot report yourself', 'userId');
    const em = this.deps.orm.em.fork();
    await this.requireUser(em, otherId);
    const limit = await this.deps.reportLimiter.consume(userId);
    if (!limit.allowed) throw new RateLimitedError('Too many reports', limit.retryAfterMs);
    await em.persistAndFlush(new Report(this.ref(em, userId), this.ref(em, otherId), text));
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
