import type { Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import { NotFoundError } from '../../infra/graphql/errors';
import { Block } from './block.entity';
import { User } from './user.entity';
import { DELETED_NICKNAME } from './user.types';
import { UserRole } from './user-role';
import { UserDeleted, UserDeleting, UserErasing } from './users.events';

/**
 * Erases an account without taking its peers' history with it. The user row stays as an anonymous
 * "deleted user" so the messages it sent remain readable to the peers who have not left those rooms
 * (and to moderators, until the evidence purge); everything personal goes in
 * one transaction, in which every module erases what it owns of the user (UserErasing). Before it,
 * modules stop what the user is doing (UserDeleting: sessions, searches); after the commit they
 * finish (UserDeleted: sessions again, queue state, stored images).
 */
export class AccountDeletionService {
  constructor(private readonly deps: { orm: Orm; events: DomainEvents }) {}

  /** The caller (auth) has checked the password. */
  async erase(userId: string): Promise<void> {
    const { orm, events } = this.deps;
    const em = orm.em.fork();
    const user = await em.findOne(User, { id: userId, deletedAt: null });
    if (!user?.email) throw new NotFoundError('Your account no longer exists');
    const email = user.email;
    await events.emit(UserDeleting, { userId });
    const afterCommit: Array<() => Promise<void>> = [];
    await em.transactional(
      async (tx) => {
        await tx.nativeUpdate(
          User,
          { id: userId },
          {
            email: null,
            passwordHash: null,
            nickname: DELETED_NICKNAME,
            gender: null,
            birthYear: null,
            photoId: null,
            phone: null,
            phoneVerifiedAt: null,
            failedLogins: 0,
            lockedAt: null,
            role: UserRole.USER,
            sanctionNote: null,
            warningNote: null,
            warnedAt: null,
            deletedAt: new Date(),
          },
        );
        await tx.nativeDelete(Block, { $or: [{ blocker: userId }, { blocked: userId }] });
        await events.emit(UserErasing, { tx, userId, email, afterCommit: (task) => afterCommit.push(task) });
      },
      // clear: the user loaded above would otherwise be written back over the erasure at commit.
      { clear: true },
    );
    for (const task of afterCommit) await task();
    await events.emit(UserDeleted, { userId });
  }
}
