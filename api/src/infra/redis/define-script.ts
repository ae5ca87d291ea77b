import type { RedisClient } from './clients';

/** Calls a Lua script: its KEYS first, then its ARGV. */
export type Script = (...keysThenArgs: string[]) => Promise<unknown>;

/** Registers `lua` on the client (EVALSHA, falling back to EVAL once per connection) and returns its caller. */
export function defineScript(redis: RedisClient, name: string, numberOfKeys: number, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, Script | undefined>)[name];
  if (!command) throw new Error(`ioredis did not define the "${name}" command`);
  return (...keysThenArgs) => command.apply(redis, keysThenArgs);
}
