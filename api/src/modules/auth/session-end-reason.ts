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
}
