import type { NewFamily, RefreshTokenStore, RotateResult } from './refresh-token.port';

interface Family {
  userId: string;
  current: string;
  expiresAt: number;
  /** Rotated token hash -> rotatedAt (ms). */
  rotated: Map<string, number>;
}

/**
 * Refresh-token families in process memory (development, tests, one instance). Mirrors the Redis
 * adapter: a family is dropped once the real clock passes expiresAt (lazily, when next looked up),
 * while `rotate` and `isActive` judge expiry by the `now` they are given.
 */
export function createMemoryRefreshTokenStore(): RefreshTokenStore {
  const families = new Map<string, Family>();
  const byUser = new Map<string, Set<string>>();

  const drop = (familyId: string, family: Family) => {
    families.delete(familyId);
    const ids = byUser.get(family.userId);
    ids?.delete(familyId);
    if (ids?.size === 0) byUser.delete(family.userId);
  };
  /** The family, unless missing or past expiresAt by the real clock (then pruned). */
  const find = (familyId: string): Family | undefined => {
    const family = families.get(familyId);
    if (family && Date.now() >= family.expiresAt) drop(familyId, family);
    return families.get(familyId);
  };

  return {
    async createFamily({ familyId, userId, tokenHash, expiresAt }: NewFamily) {
      if (find(familyId)) throw new Error(`refresh-token family "${familyId}" already exists`);
      families.set(familyId, { userId, current: tokenHash, expiresAt: expiresAt.getTime(), rotated: new Map() });
      byUser.set(userId, (byUser.get(userId) ?? new Set()).add(familyId));
    },

    async rotate(familyId, presentedHash, nextHash, now, reuseLeewayMs): Promise<RotateResult> {
      const family = find(familyId);
      if (!family || now.getTime() >= family.expiresAt) return { status: 'invalid' };
      if (family.current === presentedHash) {
        family.rotated.set(presentedHash, now.getTime());
        family.current = nextHash;
        return { status: 'rotated', userId: family.userId, expiresAt: new Date(family.expiresAt) };
      }
      const rotatedAt = family.rotated.get(presentedHash);
      if (rotatedAt === undefined) return { status: 'invalid' };
      if (now.getTime() - rotatedAt < reuseLeewayMs) return { status: 'stale' };
      drop(familyId, family);
      return { status: 'reused' };
    },

    async revokeFamily(familyId) {
      const family = find(familyId);
      if (!family) return null;
      drop(familyId, family);
      return family.userId;
    },

    async revokeAllForUser(userId) {
      const ended: string[] = [];
      for (const familyId of [...(byUser.get(userId) ?? [])]) {
        const family = find(familyId);
        if (!family) continue;
        drop(familyId, family);
        ended.push(familyId);
      }
      return ended;
    },

    async isActive(familyId, now) {
      const family = find(familyId);
      return family !== undefined && now.getTime() < family.expiresAt;
    },

    async dispose() {
      families.clear();
      byUser.clear();
    },
  };
}
