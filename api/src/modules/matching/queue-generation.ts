import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** KEYS: the generation key. ARGV: a new generation, written only if there is none. */
const SET_AND_GET = "redis.call('SET', KEYS[1], ARGV[1], 'NX') return redis.call('GET', KEYS[1])";

/**
 * Notices that Redis lost the data of one data set: the set's generation, a random id, sits under
 * `key` (written with SET NX, no TTL, so whoever finds it missing first writes the next one). Each
 * `check()` reads it; once a generation was seen, a missing or different one means everything
 * written under the old one is gone (Redis restarted without persistence, failed over, was flushed),
 * and every listener runs once. Checks run one at a time. A check that fails (Redis unreachable)
 * changes nothing: the next one decides.
 */
export class QueueGeneration {
  private known: string | null = null;
  private last: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** Resolves once this check ran (after any earlier one); never rejects. */
  check(): Promise<void> {
    this.last = this.last.then(() => this.read().catch(() => undefined));
    return this.last;
  }

  onLost(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async read(): Promise<void> {
    // A script rather than SET NX GET, which needs Redis 7 (the queue needs 6.2), or MULTI, whose
    // queued commands' own promises reject unobserved when a command times out.
    const current = await this.redis.eval(SET_AND_GET, 1, this.key, randomUUID());
    if (typeof current !== 'string') return;
    const before = this.known;
    this.known = current;
    if (before !== null && before !== current) for (const listener of [...this.listeners]) listener();
  }
}
