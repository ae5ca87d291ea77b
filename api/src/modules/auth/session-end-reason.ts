/**
 * Why a login session ended: `extensions.reason` of a refused refresh (UNAUTHENTICATED), so that a
 * client can tell the person (a password reset on another device is not a bug).
 */
export enum SessionEndReason {
  /** logOut on this session. */
  LOGGED_OUT = 'LOGGED_OUT',
  /** The password was changed (every session of the account ends; the changing one gets a new one). */
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  /** The password was reset by email link. */
  PASSWORD_RESET = 'PASSWORD_RESET',
  /** A refresh token was replayed: the session was revoked as possibly stolen. */
  SESSION_REVOKED = 'SESSION_REVOKED',
  /** The account was deleted. */
  ACCOUNT_DELETED = 'ACCOUNT_DELETED',
  /** A moderator suspended the account (logIn says until when). */
  SUSPENDED = 'SUSPENDED',
  /** A moderator banned the account. */
  BANNED = 'BANNED',
}

/** Reasons whose sockets close with 4403 (log in again is refused), not 4401 (refresh and reconnect). */
export const SANCTION_REASONS: ReadonlySet<SessionEndReason> = new Set([
  SessionEndReason.SUSPENDED,
  SessionEndReason.BANNED,
]);
