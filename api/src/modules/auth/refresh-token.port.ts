/**
 * Refresh-token families. A family is one login session: it starts at logIn/signUp, holds exactly one
 * current token (stored as a hash, never in clear) and ends at `expiresAt` (absolute: rotation never
 * extends it), at logOut, or when reuse of an already-rotated token is detected.
 */
export interface RefreshTokenStore {
  /** Starts a family with its first token. Creating an existing familyId is a programming error (rejects). */
  createFamily(family: NewFamily): Promise<void>;

  /**
   * Atomically swaps the family's current token `presentedHash` for `nextHash`.
   * - presentedHash is current: it becomes a rotated token and nextHash the current one -> `rotated`.
   * - presentedHash was rotated less than `reuseLeewayMs` ago (a parallel refresh from another tab):
   *   nothing changes -> `stale`.
   * - presentedHash was rotated earlier (a replay): the whole family is revoked -> `reused`.
   * - the family is unknown, revoked or expired, or the hash never belonged to it -> `invalid`.
   * Two concurrent calls with the same current hash: exactly one gets `rotated`.
   */
  rotate(
    familyId: string,
    presentedHash: string,
    nextHash: string,
    now: Date,
    reuseLeewayMs: number,
  ): Promise<RotateResult>;

  /** Ends one family; returns its userId, or null when it was unknown or already ended. Idempotent. */
  revokeFamily(familyId: string): Promise<string | null>;

  /** Ends every family of a user ("log out everywhere"); returns the ended familyIds. */
  revokeAllForUser(userId: string): Promise<string[]>;

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
  { status: 'rotated'; userId: string; expiresAt: Date } | { status: 'stale' | 'reused' | 'invalid' };
