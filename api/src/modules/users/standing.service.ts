import type { Em, Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import { ForbiddenError } from '../../infra/graphql/errors';
import { SanctionKind } from './standing';
import { User } from './user.entity';
import { UserRole } from './user-role';
import { QuarantineChanged, UserSanctioned } from './users.events';

/** A moderator's warning the user has not dismissed. */
export interface Warning {
  /** The moderator's words, if they wrote any. */
  note: string | null;
  issuedAt: Date;
}

/**
 * An account's standing: its role, quarantine, sanctions and warnings (columns of `users`, written
 * here for moderation, which decides). Reads come from the primary: a decision a moment ago counts.
 */
export class StandingService {
  constructor(private readonly deps: { orm: Orm; events: DomainEvents }) {}

  /**
   * Whether the account is in quarantine: reported by MODERATION_QUARANTINE_REPORTS distinct users
   * within 24 h and not yet cleared by a moderator (DISMISS). The matcher pairs quarantined accounts
   * only with each other. One primary-key read on the primary; changes are announced with the
   * QuarantineChanged domain event (in-process, after the commit, on the instance that made them).
   */
  async isQuarantined(userId: string): Promise<boolean> {
    const user = await this.em().findOne(User, { id: userId }, { fields: ['quarantinedAt'] });
    return Boolean(user?.quarantinedAt);
  }

  /** The account's role; null for an unknown id. */
  async roleOf(userId: string): Promise<UserRole | null> {
    const user = await this.em().findOne(User, { id: userId, deletedAt: null }, { fields: ['role'] });
    return user ? user.role : null;
  }

  /** Throws FORBIDDEN unless the account is a moderator. */
  async requireModerator(userId: string): Promise<void> {
    if ((await this.roleOf(userId)) !== UserRole.MODERATOR) {
      throw new ForbiddenError('Only moderators may do this', { reason: 'NOT_MODERATOR' });
    }
  }

  /** Puts the account in or out of quarantine; announces a change (and only a change). */
  async setQuarantined(userId: string, quarantined: boolean, now: Date): Promise<boolean> {
    const changed = await this.em().nativeUpdate(
      User,
      { id: userId, quarantinedAt: quarantined ? null : { $ne: null } },
      { quarantinedAt: quarantined ? now : null },
    );
    if (changed === 0) return false;
    await this.deps.events.emit(QuarantineChanged, { userId, quarantined });
    return true;
  }

  /** Suspends the account until `until` (replacing a shorter or longer suspension); see UserSanctioned. */
  async suspend(userId: string, until: Date, note: string | null): Promise<void> {
    await this.em().nativeUpdate(User, { id: userId }, { suspendedUntil: until, sanctionNote: note });
    await this.deps.events.emit(UserSanctioned, { userId, kind: SanctionKind.SUSPENDED, until });
  }

  /** Bans the account for good; see UserSanctioned. */
  async ban(userId: string, note: string | null, now: Date): Promise<void> {
    await this.em().nativeUpdate(User, { id: userId }, { bannedAt: now, sanctionNote: note });
    await this.deps.events.emit(UserSanctioned, { userId, kind: SanctionKind.BANNED, until: null });
  }

  /** Gives the account a warning, shown to it (`me.warning`) until it dismisses it. */
  async warn(userId: string, note: string | null, now: Date): Promise<void> {
    await this.em().nativeUpdate(User, { id: userId }, { warningNote: note, warnedAt: now });
  }

  async warningOf(userId: string): Promise<Warning | null> {
    const user = await this.em().findOne(User, { id: userId }, { fields: ['warningNote', 'warnedAt'] });
    return user?.warnedAt ? { note: user.warningNote ?? null, issuedAt: user.warnedAt } : null;
  }

  /** The user read the warning. False when there was none. */
  async dismissWarning(userId: string): Promise<boolean> {
    const changed = await this.em().nativeUpdate(
      User,
      { id: userId, warnedAt: { $ne: null } },
      { warningNote: null, warnedAt: null },
    );
    return changed > 0;
  }

  private em(): Em {
    return this.deps.orm.em.fork();
  }
}
