import type { WebSocket } from 'ws';

/** WebSocket close codes of the public contract (DESIGN.md §3). */
export enum WsCloseCode {
  /** Token expired or session revoked mid-connection: refresh and reconnect. */
  SESSION_ENDED = 4401,
  /** Bad or missing token at connection_init. */
  FORBIDDEN = 4403,
  /** Too many sockets for this user. */
  TOO_MANY_CONNECTIONS = 4429,
  /** Server shutting down: reconnect (to another instance). */
  SERVICE_RESTART = 1012,
}

interface Entry {
  userId: string;
  sessionId: string;
  expiryTimer: NodeJS.Timeout;
}

/**
 * The authenticated sockets of this instance, so that they close when their access token expires
 * or their session is revoked (on any instance: revocations arrive through pub/sub).
 */
export class WsSessions {
  private readonly sockets = new Map<WebSocket, Entry>();

  get size(): number {
    return this.sockets.size;
  }

  countForUser(userId: string): number {
    let n = 0;
    for (const entry of this.sockets.values()) if (entry.userId === userId) n++;
    return n;
  }

  /** Tracks a socket and closes it with 4401 when `expiresAt` passes. */
  add(socket: WebSocket, auth: { userId: string; sessionId: string; accessTokenExpiresAt: Date }): void {
    const delayMs = Math.max(0, auth.accessTokenExpiresAt.getTime() - Date.now());
    const expiryTimer = setTimeout(() => socket.close(WsCloseCode.SESSION_ENDED, 'Access token expired'), delayMs);
    expiryTimer.unref();
    this.sockets.set(socket, { userId: auth.userId, sessionId: auth.sessionId, expiryTimer });
  }

  remove(socket: WebSocket): void {
    const entry = this.sockets.get(socket);
    if (!entry) return;
    clearTimeout(entry.expiryTimer);
    this.sockets.delete(socket);
  }

  /** Closes every socket of the given sessions with 4401. */
  closeSessions(sessionIds: readonly string[]): void {
    const ended = new Set(sessionIds);
    for (const [socket, entry] of this.sockets) {
      if (ended.has(entry.sessionId)) socket.close(WsCloseCode.SESSION_ENDED, 'Session ended');
    }
  }

  /** Closes everything with a reconnectable code (graceful shutdown). */
  closeAll(code: number, reason: string): void {
    for (const socket of this.sockets.keys()) socket.close(code, reason);
  }
}
