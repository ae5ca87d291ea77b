/**
 * Who holds a live, authenticated graphql-ws socket on any instance: a message to someone who does
 * reaches them over the socket, anyone else gets a Web Push. Each instance renews its own hold of
 * every user it has a socket of before `ttlMs` passes; an instance that dies without releasing its
 * holds stops counting `ttlMs` later. All state of one user sits under one key (one slot on a Redis
 * Cluster); no operation touches two users' keys at once.
 */
export interface Presence {
  /**
   * This instance holds a socket of each of `userIds` for the next `ttlMs` (from now). Idempotent:
   * holding again only moves the expiry. Users are written one at a time (no atomicity across them).
   */
  hold(userIds: readonly string[]): Promise<void>;
  /** This instance holds no socket of `userId` any more; other instances' holds stay. Idempotent. */
  release(userId: string): Promise<void>;
  /** Whether any instance holds an unexpired socket of `userId`. */
  isOnline(userId: string): Promise<boolean>;
  /** Releases nothing (holds lapse by themselves); the adapter's clients stay open. */
  dispose(): Promise<void>;
}

export interface PresenceOptions {
  /** This instance's id (a random UUID per process): holds of different instances are apart. */
  instanceId: string;
  /** How long a hold lasts unless renewed, in milliseconds. @default 60_000 */
  ttlMs?: number;
  /** The clock, in epoch milliseconds (tests). @default Date.now */
  now?: () => number;
}

export const DEFAULT_PRESENCE_TTL_MS = 60_000;
