import type { Em } from '../../infra/db/orm';
import { domainEvent } from '../../infra/events/domain-events';

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
