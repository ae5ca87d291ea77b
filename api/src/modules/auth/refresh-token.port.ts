import type { SessionEndReason } from './session-end-reason';

/**
 * Refresh-token families. A family is one login session: it starts at logIn/signUp, holds exactly one
 * current token (stored as a hash, never in clear) and ends at `expiresAt` (absolute: rotation never
 * extends it), at logOut, or when reuse of an already-rotated token is detected. A family ended
 * before its expiresAt is remembered with its reason until that expiresAt, so that `rotate` can say
 * why it refuses.
 */
export interface RefreshTokenStore {
  /** Starts a family with its first token. Creating an existing familyId is a programming error (rejects). */
  createFamily(family: NewFamily): Promise<void>;

  /**
   * Atomically swaps the family's current token `presentedHash` for `nextHash`.
   * - presentedHash is current: it becomes a rotated token and nextHash the current one -> `rotated`.
   * - presentedHash is the token rotated last, less than `reuseLeewayMs` ago (a retry whose first
   *   answer was lost, or a parallel refresh from another tab): nextHash replaces the current token,
   *   which is then unknown (`invalid`, not a replay) -> `rotated`.
   * - presentedHash is an older token rotated less than `reuseLeewayMs` ago: nothing changes -> `stale`.
   * - presentedHash was rotated earlier (a replay): the whole family is revoked (remembered as
   *   SESSION_REVOKED) -> `reused`.
   * - the family was ended before its expiresAt (revoked, or after a replay) -> `ended` with why.
   * - the family is unknown or expired, or the hash never belonged to it -> `invalid`.
   * Concurrent calls with the same current hash all get `rotated`, one after the other; the token of
   * the last one is current.
   */
  rotate(
    familyId: string,
    presentedHash: string,
    nextHash: string,
    now: Date,
    reuseLeewayMs: number,
  ): Promise<RotateResult>;

  /**
   * Ends one family, remembering `reason`; returns its userId, or null when it was unknown or already
   * ended (the reason first given stays). Idempotent.
   */
  revokeFamily(familyId: string, reason: SessionEndReason): Promise<string | null>;

  /** Ends every family of a user ("log out everywhere"), remembering `reason`; returns the ended familyIds. */
  revokeAllForUser(userId: string, reason: SessionEndReason): Promise<string[]>;

  /** True while the family exists, is not revoked and has not reached expiresAt. */
  isActive(familyId: string, now: Date): Promise<boolean>;

  dispose(): Promise<void>;
}

export interface NewFamily {
  familyId: string;
  userId: string;
  tokenHash: string;
  expiresAt: Date;
}

export type RotateResult =
  | { status: 'rotated'; userId: string; expiresAt: Date }
  | { status: 'ended'; reason: SessionEndReason }
  | { status: 'stale' | 'reused' | 'invalid' };
