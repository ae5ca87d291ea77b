import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../../infra/db/orm';
import { ConflictError } from '../../infra/graphql/errors';
import { User, type NewUser } from './user.entity';
import type { UserFields } from './user.row';

/** A user with what signing in needs: the password hash, the lock state and any sanction. */
export type UserCredentials = UserFields &
  Pick<User, 'passwordHash' | 'failedLogins' | 'lockedAt' | 'suspendedUntil' | 'bannedAt' | 'sanctionNote'>;

/**
 * The sign-in columns of `users` (email, password hash, failed logins, lock), read and written for
 * auth: auth decides, this module writes its own table. Reads come from the primary: they decide
 * about logins that may have changed the row a moment ago.
 */
export class CredentialsService {
  /** Creates an account inside the caller's transaction; CONFLICT when the email is taken. */
  async create(tx: Em, init: NewUser): Promise<UserFields> {
    const user = new User(init);
    try {
      await tx.persistAndFlush(user);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException)
        throw new ConflictError('An account with this email already exists');
      throw err;
    }
    return user;
  }

  byEmail(em: Em, email: string): Promise<UserCredentials | null> {
    return em.findOne(User, { email }, { populate: ['passwordHash'] });
  }

  /** A live (not deleted) account by id. */
  byId(em: Em, id: string): Promise<UserCredentials | null> {
    return em.findOne(User, { id, deletedAt: null }, { populate: ['passwordHash'] });
  }

  /** Whether an account (deleted ones included: their address is free again) has this email. */
  async emailTaken(em: Em, email: string): Promise<boolean> {
    return Boolean(await em.findOne(User, { email }, { fields: ['id'] }));
  }

  /** The id of the account with this email, if any. */
  async idByEmail(em: Em, email: string): Promise<string | null> {
    return (await em.findOne(User, { email }, { fields: ['id'] }))?.id ?? null;
  }

  /** A new password hash; unlocks and forgets failed logins when `unlock` is set. */
  async setPasswordHash(em: Em, id: string, passwordHash: string, options: { unlock?: boolean } = {}): Promise<void> {
    await em.nativeUpdate(
      User,
      { id, deletedAt: null },
      options.unlock ? { passwordHash, failedLogins: 0, lockedAt: null } : { passwordHash },
    );
  }

  async clearFailedLogins(em: Em, id: string): Promise<void> {
    await em.nativeUpdate(User, { id }, { failedLogins: 0 });
  }

  /** Counts a failed login; locks the account when the count reaches `threshold`. True if this call locked it. */
  async recordFailedLogin(em: Em, id: string, threshold: number): Promise<boolean> {
    await em.nativeUpdate(User, { id }, { failedLogins: raw('failed_logins + 1') });
    const locked = await em.nativeUpdate(
      User,
      { id, lockedAt: null, failedLogins: { $gte: threshold } },
      { lockedAt: new Date() },
    );
    return locked > 0;
  }

  async isLocked(em: Em, email: string): Promise<boolean> {
    const user = await em.findOne(User, { email }, { fields: ['lockedAt'] });
    return Boolean(user?.lockedAt);
  }

  async unlock(em: Em, email: string): Promise<void> {
    await em.nativeUpdate(User, { email }, { lockedAt: null, failedLogins: 0 });
  }
}
