import type { Em } from '../../infra/db/orm';
import { domainEvent } from '../../infra/events/domain-events';
import type { SanctionKind } from './standing';

/** `blockerId` blocked `blockedId` (stored; a repeated block emits again). */
export const UserBlocked = domainEvent<{ blockerId: string; blockedId: string }>('users.blocked');

/** An account is about to be erased (its password was checked): stop what it is doing. */
export const UserDeleting = domainEvent<{ userId: string }>('users.deleting');

/**
 * Inside the erasing transaction: delete or close what you own of the user, through `tx`; work that
 * must wait for the commit (publishing, storage) goes to `afterCommit`. A throw rolls everything back.
 */
export const UserErasing = domainEvent<{
  tx: Em;
  userId: string;
  /** The address the account had (it is gone from the row by now). */
  email: string;
  afterCommit(task: () => Promise<void>): void;
}>('users.erasing');

/** The account is erased (committed). */
export const UserDeleted = domainEvent<{ userId: string }>('users.deleted');

/**
 * A moderator suspended (`until` set) or banned (`until` null) the account (committed): end its
 * sessions on every instance (sockets close with 4403) and take it out of matching.
 */
export const UserSanctioned = domainEvent<{ userId: string; kind: SanctionKind; until: Date | null }>(
  'users.sanctioned',
);

/** The account entered (`quarantined: true`) or left quarantine (committed). */
export const QuarantineChanged = domainEvent<{ userId: string; quarantined: boolean }>('users.quarantine-changed');
