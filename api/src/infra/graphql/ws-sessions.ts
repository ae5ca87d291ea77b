import type { WebSocket } from 'ws';
import type { Logger } from '../logger';

/** WebSocket close codes of the public contract (DESIGN.md §3). */
export enum WsCloseCode {
  /** Token expired or session revoked mid-connection: refresh and reconnect. */
  SESSION_ENDED = 4401,
  /** Bad or missing token at connection_init, or the account was suspended or banned: do not reconnect. */
  FORBIDDEN = 4403,
  /** Too many sockets for this user. */
  TOO_MANY_CONNECTIONS = 4429,
  /** Server shutting down: reconnect (to another instance). */
  SERVICE_RESTART = 1012,
}

interface Entry {
  userId: string;
  sessionId: string;
  /** When the access token expires (epoch milliseconds); Infinity once the socket was told. */
  expiresAt: number;
}

/** How often (ms) expired access tokens are looked for: a socket closes at most this late. */
const EXPIRY_SWEEP_MS = 1000;

export interface WsSessionsOptions {
  /** Whether a login session is still live (the session check's own answer). */
  isLive: (sessionId: string) => Promise<boolean>;
  /** How often every open socket's session is checked again (0: never). */
  recheckMs: number;
  logger: Logger;
  /**
   * A user's first socket on this instance opened (`true`), or their last one closed (`false`).
   * What an opening returns is awaited before the socket is acknowledged; it must not reject.
   */
  onUserSockets?: (userId: string, open: boolean) => Promise<void> | void;
}

/**
 * The authenticated sockets of this instance, so that they close when their access token expires
 * (one sweep a second over all of them, while there are any) or their session is revoked (on any
 * instance: revocations arrive through pub/sub). A revocation whose event never arrived (published
 * while this instance's Redis connection was down) is caught by the periodic re-check of every
 * socket's session: such a socket closes with 4401 at most `recheckMs` later, as HTTP refuses it.
 */
export class WsSessions {
  private readonly sockets = new Map<WebSocket, Entry>();
  /** Open sockets per user (checked on every connect: no scan of all sockets). */
  private readonly perUser = new Map<string, number>();
  /** Runs while any socket is tracked. */
  private sweeper: NodeJS.Timeout | undefined;
  /** Runs while any socket is tracked. */
  private rechecker: NodeJS.Timeout | undefined;
  private rechecking = false;

  constructor(private readonly options?: WsSessionsOptions) {}

  get size(): number {
    return this.sockets.size;
  }

  countForUser(userId: string): number {
    return this.perUser.get(userId) ?? 0;
  }

  /**
   * Tracks a socket and closes it with 4401 once `accessTokenExpiresAt` has passed. Resolves when
   * `onUserSockets` is done with the user's first socket (at once for any other).
   */
  async add(socket: WebSocket, auth: { userId: string; sessionId: string; accessTokenExpiresAt: Date }): Promise<void> {
    this.remove(socket);
    const { userId, sessionId } = auth;
    this.sockets.set(socket, { userId, sessionId, expiresAt: auth.accessTokenExpiresAt.getTime() });
    const count = this.countForUser(userId) + 1;
    this.perUser.set(userId, count);
    this.sweeper ??= setInterval(() => this.closeExpired(), EXPIRY_SWEEP_MS).unref();
    const recheckMs = this.options?.recheckMs ?? 0;
    if (recheckMs > 0) this.rechecker ??= setInterval(() => void this.recheck(), recheckMs).unref();
    if (count === 1) await this.options?.onUserSockets?.(userId, true);
  }

  remove(socket: WebSocket): void {
    const entry = this.sockets.get(socket);
    if (!entry) return;
    this.sockets.delete(socket);
    const left = this.countForUser(entry.userId) - 1;
    if (left > 0) this.perUser.set(entry.userId, left);
    else {
      this.perUser.delete(entry.userId);
      void this.options?.onUserSockets?.(entry.userId, false);
    }
    if (this.sockets.size === 0) {
      clearInterval(this.sweeper);
      clearInterval(this.rechecker);
      this.sweeper = undefined;
      this.rechecker = undefined;
    }
  }

  /**
   * Closes every socket of the given sessions, with 4401 (refresh and reconnect) unless told
   * otherwise (4403 for an account a moderator suspended or banned).
   */
  closeSessions(sessionIds: readonly string[], code = WsCloseCode.SESSION_ENDED, reason = 'Session ended'): void {
    const ended = new Set(sessionIds);
    for (const [socket, entry] of this.sockets) {
      if (ended.has(entry.sessionId)) socket.close(code, reason);
    }
  }

  /** Closes everything with a reconnectable code (graceful shutdown). */
  closeAll(code: number, reason: string): void {
    for (const socket of this.sockets.keys()) socket.close(code, reason);
  }

  /** Asks for every open socket's session once (one lookup per session) and closes the ended ones. */
  private async recheck(): Promise<void> {
    if (this.rechecking || !this.options) return;
    this.rechecking = true;
    try {
      const sessionIds = new Set([...this.sockets.values()].map((entry) => entry.sessionId));
      const ended: string[] = [];
      for (const sessionId of sessionIds) {
        if (!(await this.options.isLive(sessionId))) ended.push(sessionId);
      }
      if (ended.length > 0) this.closeSessions(ended);
    } catch (err) {
      // The database is unreachable: the sockets stay until the next round can tell.
      this.options.logger.warn({ err }, 'socket session re-check failed');
    } finally {
      this.rechecking = false;
    }
  }

  /** Closes the sockets whose token expired; they stay tracked until they are removed on close. */
  private closeExpired(): void {
    const now = Date.now();
    for (const [socket, entry] of this.sockets) {
      if (entry.expiresAt > now) continue;
      entry.expiresAt = Infinity;
      socket.close(WsCloseCode.SESSION_ENDED, 'Access token expired');
    }
  }
}
