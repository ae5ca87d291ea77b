import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger';

/** A single Redis or a Redis Cluster: the same commands; a cluster routes each by its key's slot. */
export type RedisClient = Redis | Cluster;

/** Where a Redis is: one server (`url`) or a cluster (`clusterNodes`, its seed nodes). */
export interface RedisTarget {
  url?: string;
  clusterNodes: readonly { host: string; port: number }[];
}

export interface RedisClients {
  /**
   * Commands: rate limits, queue generation, publishing. Not auto-pipelined (ioredis'
   * `enableAutoPipelining`): it holds each command until the end of the event-loop turn and keeps one
   * batch in flight at a time, which measured here (a rate-limit script then a PUBLISH against local
   * Redis) cost 40 µs at p50 one request at a time and 2 to 5 times the p99 at 50 to 200 concurrent
   * requests; concurrent commands already share the connection without waiting for each other.
   */
  command: RedisClient;
  /**
   * Dedicated to subscriptions (a subscribed connection can run nothing else). On a cluster it
   * holds one connection per master, for sharded pub/sub (SSUBSCRIBE to the shard of each channel).
   */
  subscriber: RedisClient;
  /** The matching queue's commands: `command` itself, or a Redis (cluster) of its own (MATCH_REDIS_*). */
  match: RedisClient;
  /** True on a cluster: channels are shard channels (SPUBLISH/SSUBSCRIBE), so a message touches one shard. */
  sharded: boolean;
  quit(): Promise<void>;
}

export interface RedisConnectOptions {
  /** A command's deadline, and a connection's. @default 1000 ms */
  timeoutMs?: number;
  /** The matching queue's own Redis; absent: the queue shares `command`. */
  match?: RedisTarget;
}

/**
 * Opens the connections and waits until they answer; fails fast when Redis is unreachable at start.
 * With `clusterNodes` the clients are ioredis Cluster clients (they follow MOVED/ASK redirections and
 * failovers by refreshing the slot map), the subscriber with sharded subscribers.
 */
export async function connectRedis(
  target: RedisTarget,
  logger: Logger,
  { timeoutMs = 1000, match }: RedisConnectOptions = {},
): Promise<RedisClients> {
  const clients: RedisClient[] = [];
  const open = (where: RedisTarget, role: string) => {
    const client = openClient(where, role, timeoutMs);
    client.on('error', (err: Error) => logger.warn({ role, err: err.message }, 'redis connection error'));
    clients.push(client);
    return client;
  };
  const command = open(target, 'command');
  const subscriber = open(target, 'subscriber');
  const matchClient = match ? open(match, 'match') : command;
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (err) {
    for (const client of clients) client.disconnect();
    throw err;
  }
  return {
    command,
    subscriber,
    match: matchClient,
    sharded: isCluster(target),
    async quit() {
      await Promise.allSettled(clients.map((client) => client.quit()));
    },
  };
}

const isCluster = (target: RedisTarget) => target.clusterNodes.length > 0;

/** One client, not connected yet (`lazyConnect`). */
function openClient(target: RedisTarget, role: string, timeoutMs: number): RedisClient {
  const options = {
    lazyConnect: true,
    connectionName: `randchat-${role}`,
    // Deadlines: a command (also one queued while reconnecting) fails after `timeoutMs` with
    // "Command timed out", and is retried over at most one reconnect; the request answers UNAVAILABLE.
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
  };
  const backoff = (attempt: number) => Math.min(attempt * 200, 2000);
  if (isCluster(target)) {
    return new Cluster([...target.clusterNodes], {
      lazyConnect: true,
      redisOptions: options,
      clusterRetryStrategy: backoff,
      // A failover: commands for the lost master's slots wait for the new slot map this long
      // between tries (each try bounded by commandTimeout), then fail with the last error.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: timeoutMs,
      shardedSubscribers: role === 'subscriber',
    });
  }
  if (!target.url) throw new Error('a Redis target needs a url or cluster nodes');
  return new Redis(target.url, { ...options, retryStrategy: backoff });
}
