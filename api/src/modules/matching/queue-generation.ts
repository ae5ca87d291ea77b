import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../../infra/redis/clients';

/** KEYS: the generation key. ARGV: a new generation, written only if there is none. */
const SET_AND_GET = "redis.call('SET', KEYS[1], ARGV[1], 'NX') return redis.call('GET', KEYS[1])";

/**
 * Notices that Redis lost the data of one data set: the set's generation, a random id, sits under
 * `key` (written with SET NX, no TTL, so whoever finds it missing first writes the next one). Each
 * `check()` reads it; once a generation was seen, a missing or different one means everything
 * written under the old one is gone (Redis restarted without persistence, failed over, was flushed),
 * and every listener runs once. Checks run one at a time. A check that fails (Redis unreachable)
 * changes nothing: the next one decides.
 *
 * On a Redis Cluster a failover of the shard holding the set counts as a loss too: the replica that
 * took over has what was replicated to it (asynchronously), so the latest writes may be gone while
 * the generation survived. Each check also notes which master serves the key's slot (the client's
 * slot map, refreshed by the client when a node fails or answers MOVED); a different one than at the
 * last check runs the listeners. A master that restarts with its data before its replica takes over
 * keeps the slot and is no loss.
 */
export class QueueGeneration {
  private known: string | null = null;
  /** On a cluster: the slots watched (the key's, and those of `watch`; asked once) -> the master that served each at the last check. */
  private readonly slots = new Map<string, number>();
  private readonly masters = new Map<number, string>();
  private watched: readonly string[] = [];
  private last: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  /** Resolves once this check ran (after any earlier one); never rejects. */
  check(): Promise<void> {
    this.last = this.last.then(() => this.read().catch(() => undefined));
    return this.last;
  }

  /**
   * Also counts a failover of the slots of these keys as a loss (the sharded queue: its busy cells'
   * slots), from the next check on; replaces the keys watched before.
   */
  watch(keys: readonly string[]): void {
    this.watched = keys;
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
    const failedOver = await this.masterChanged();
    if ((before !== null && before !== current) || failedOver) for (const listener of [...this.listeners]) listener();
  }

  /** Whether another master serves a watched slot than at the last check (always false on a single Redis). */
  private async masterChanged(): Promise<boolean> {
    const redis = this.redis;
    if (!(redis instanceof Cluster)) return false;
    let changed = false;
    for (const key of [this.key, ...this.watched]) {
      let slot = this.slots.get(key);
      if (slot === undefined) this.slots.set(key, (slot = await redis.cluster('KEYSLOT', key)));
      const master = redis.slots[slot]?.[0];
      if (master === undefined) continue;
      const before = this.masters.get(slot);
      this.masters.set(slot, master);
      if (before !== undefined && before !== master) changed = true;
    }
    return changed;
  }
}
