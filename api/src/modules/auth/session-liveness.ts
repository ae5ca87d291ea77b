/** Answers whether a login session is live, from the store of record (a database read). */
export type SessionLookup = (sessionId: string) => Promise<boolean>;

/** How long an "ended" answer is kept: the default access-token lifetime, after which tokens die anyway. */
const ENDED_MEMORY_MS = 15 * 60_000;

export interface SessionLivenessOptions {
  /** How long an answer is reused; 0 turns the cache off (every check asks the store). */
  ttlMs: number;
  /** Sessions remembered at most; the least recently stored go first. @default 50_000 */
  maxEntries?: number;
}

/**
 * This instance's short memory of which login sessions are live, so that the session check of a
 * request needs no round trip while an answer is fresh. The store stays the source of truth:
 * - "live" answers are reused for at most `ttlMs`, and only while `listening` (this instance hears
 *   the revocation events), so a session ended without its event reaching here (a Redis reconnect)
 *   is refused within `ttlMs` anyway; a family reaching its absolute expiry likewise.
 * - "ended" answers are reused for at least 15 minutes: an ended session never comes back.
 * - `revoke(ids)` (a revocation on this instance, before its mutation answers; every revocation
 *   event from any instance) marks the sessions ended at once, and no lookup already in flight when
 *   it ran may store "live" afterwards: its answer may predate the revocation.
 */
export class SessionLiveness {
  private readonly entries = new Map<string, { live: boolean; until: number }>();
  /** Bumped by every revocation; a lookup stores "live" only if none happened while it ran. */
  private revocations = 0;
  private listening = false;
  private readonly maxEntries: number;

  constructor(
    private readonly lookup: SessionLookup,
    private readonly options: SessionLivenessOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /** The remembered answer while it is fresh, else undefined (no lookup). */
  known(sessionId: string): boolean | undefined {
    const known = this.entries.get(sessionId);
    return known && known.until > Date.now() ? known.live : undefined;
  }

  async isLive(sessionId: string): Promise<boolean> {
    const now = Date.now();
    const known = this.entries.get(sessionId);
    if (known && known.until > now) return known.live;
    const revocations = this.revocations;
    const live = await this.lookup(sessionId);
    if (!live || (this.listening && revocations === this.revocations)) this.remember(sessionId, live, now);
    return live;
  }

  /** The sessions ended: refused from now on by this instance. */
  revoke(sessionIds: readonly string[]): void {
    this.revocations++;
    const now = Date.now();
    for (const id of sessionIds) this.remember(id, false, now);
  }

  /** Whether revocation events reach this instance (nothing "live" is reused otherwise). */
  setListening(listening: boolean): void {
    this.listening = listening;
    if (!listening) this.entries.clear();
  }

  private remember(sessionId: string, live: boolean, now: number): void {
    if (this.options.ttlMs <= 0) return;
    this.entries.delete(sessionId);
    // An ended session never comes back: that answer is kept longer (it also covers a database
    // outage, when the session check trusts unknown tokens; sessions.service.ts).
    const keepMs = live ? this.options.ttlMs : Math.max(this.options.ttlMs, ENDED_MEMORY_MS);
    this.entries.set(sessionId, { live, until: now + keepMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
