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
  socket: WebSocket;
  userId: string;
  sessionId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Position in the expiry heap; -1 once out of it. */
  index: number;
}

/** setTimeout's longest delay (ms); a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The authenticated sockets of this instance, so that they close when their access token expires
 * or their session is revoked (on any instance: revocations arrive through pub/sub).
 *
 * One timer for all sockets, set for the earliest expiry (a binary min-heap orders them): a timer
 * per socket costs ~0.25 KB for the socket's whole life.
 */
export class WsSessions {
  private readonly sockets = new Map<WebSocket, Entry>();
  /** Open sockets per user (checked on every connect: no scan of all sockets). */
  private readonly perUser = new Map<string, number>();
  private readonly expiries: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;

  get size(): number {
    return this.sockets.size;
  }

  countForUser(userId: string): number {
    return this.perUser.get(userId) ?? 0;
  }

  /** Tracks a socket and closes it with 4401 when `expiresAt` passes. */
  add(socket: WebSocket, auth: { userId: string; sessionId: string; accessTokenExpiresAt: Date }): void {
    this.remove(socket);
    const entry: Entry = {
      socket,
      userId: auth.userId,
      sessionId: auth.sessionId,
      expiresAt: auth.accessTokenExpiresAt.getTime(),
      index: this.expiries.length,
    };
    this.sockets.set(socket, entry);
    this.perUser.set(auth.userId, this.countForUser(auth.userId) + 1);
    this.expiries.push(entry);
    this.siftUp(entry.index);
    this.schedule();
  }

  remove(socket: WebSocket): void {
    const entry = this.sockets.get(socket);
    if (!entry) return;
    this.sockets.delete(socket);
    const left = this.countForUser(entry.userId) - 1;
    if (left > 0) this.perUser.set(entry.userId, left);
    else this.perUser.delete(entry.userId);
    this.unqueue(entry);
    this.schedule();
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

  /** Closes the sockets whose token expired; they stay tracked until they are removed on close. */
  private expire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = Date.now();
    for (let first = this.expiries[0]; first && first.expiresAt <= now; first = this.expiries[0]) {
      this.unqueue(first);
      first.socket.close(WsCloseCode.SESSION_ENDED, 'Access token expired');
    }
    this.schedule();
  }

  /** Sets the timer for the earliest expiry, unless it is already set for it. */
  private schedule(): void {
    const at = this.expiries[0]?.expiresAt ?? Infinity;
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = setTimeout(() => this.expire(), Math.min(MAX_DELAY_MS, Math.max(0, at - Date.now())));
    this.timer.unref();
  }

  private unqueue(entry: Entry): void {
    const i = entry.index;
    if (i < 0) return;
    entry.index = -1;
    const last = this.expiries.pop()!;
    if (last === entry) return;
    this.expiries[i] = last;
    last.index = i;
    this.siftUp(i);
    this.siftDown(last.index);
  }

  private siftUp(i: number): void {
    const heap = this.expiries;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.expiresAt <= heap[i]!.expiresAt) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.expiries;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left]!.expiresAt < heap[least]!.expiresAt) least = left;
      if (right < heap.length && heap[right]!.expiresAt < heap[least]!.expiresAt) least = right;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(i: number, j: number): void {
    const heap = this.expiries;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.index = j;
    b.index = i;
  }
}
