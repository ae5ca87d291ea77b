import { Redis } from 'ioredis';
import type { Logger } from '../logger';

export interface RedisClients {
  /**
   * Commands: GEO queue, rate limits, tokens, publishing. Not auto-pipelined (ioredis'
   * `enableAutoPipelining`): it holds each command until the end of the event-loop turn and keeps one
   * batch in flight at a time, which measured here (a rate-limit script then a PUBLISH against local
   * Redis) cost 40 µs at p50 one request at a time and 2 to 5 times the p99 at 50 to 200 concurrent
   * requests; concurrent commands already share the connection without waiting for each other.
   */
  command: Redis;
  /** Dedicated to SUBSCRIBE (a subscribed connection can run nothing else). */
  subscriber: Redis;
  quit(): Promise<void>;
}

/** Opens the connections and waits until they answer; fails fast when Redis is unreachable at start. */
export async function connectRedis(url: string, logger: Logger, timeoutMs = 1000): Promise<RedisClients> {
  const open = (role: string) => {
    const client = new Redis(url, {
      lazyConnect: true,
      connectionName: `randchat-${role}`,
      // Deadlines: a command (also one queued while reconnecting) fails after `timeoutMs` with
      // "Command timed out", and is retried over at most one reconnect; the request answers UNAVAILABLE.
      commandTimeout: timeoutMs,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    client.on('error', (err) => logger.warn({ role, err: err.message }, 'redis connection error'));
    return client;
  };
  const command = open('command');
  const subscriber = open('subscriber');
  try {
    await Promise.all([command.connect(), subscriber.connect()]);
  } catch (err) {
    command.disconnect();
    subscriber.disconnect();
    throw err;
  }
  return {
    command,
    subscriber,
    async quit() {
      await Promise.allSettled([command.quit(), subscriber.quit()]);
    },
  };
}
