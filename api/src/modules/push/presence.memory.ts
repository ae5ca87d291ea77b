import { DEFAULT_PRESENCE_TTL_MS, type Presence, type PresenceOptions } from './presence.port';

/** The state of in-process presence: user -> instance id -> expiry of its hold (epoch ms). */
export type MemoryPresenceHolds = Map<string, Map<string, number>>;

/**
 * In-process presence, for the embedded default's one instance. `holds`: the state, shared by
 * several adapters in one process standing for several instances (tests). @default a new map
 */
export function createMemoryPresence(options: PresenceOptions & { holds?: MemoryPresenceHolds }): Presence {
  const { instanceId, ttlMs = DEFAULT_PRESENCE_TTL_MS, now = Date.now, holds = new Map() } = options;
  return {
    async hold(userIds) {
      const until = now() + ttlMs;
      for (const userId of userIds) {
        const byInstance = holds.get(userId) ?? new Map<string, number>();
        byInstance.set(instanceId, until);
        holds.set(userId, byInstance);
      }
    },
    async release(userId) {
      const byInstance = holds.get(userId);
      byInstance?.delete(instanceId);
      if (byInstance?.size === 0) holds.delete(userId);
    },
    async isOnline(userId) {
      const at = now();
      return [...(holds.get(userId)?.values() ?? [])].some((until) => until > at);
    },
    async dispose() {},
  };
}
