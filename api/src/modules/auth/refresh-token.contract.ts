import { randomUUID } from 'node:crypto';
import { createTestBackend, type BackendKind } from '../../../test/utils/backend';
import { TEST_ENV } from '../../../test/utils/test-server';
import { loadConfig } from '../../config';
import { createOrm } from '../../infra/db/orm';
import { sqlRunnerFor } from '../../infra/db/sql-runner';
import { EndedLoginSession, LoginSession, RotatedRefreshToken } from './login-session.entity';
import type { NewFamily, RefreshTokenStore } from './refresh-token.port';
import { createSqlRefreshTokenStore } from './refresh-token.sql';
import { SessionEndReason } from './session-end-reason';

export interface RefreshTokenBackend {
  store: RefreshTokenStore;
  cleanup(): Promise<void>;
}

const HOUR_MS = 3_600_000;
const LEEWAY_MS = 10_000;

/**
 * The behaviour every RefreshTokenStore must show. `makeStore` is called once per test; tests use
 * random family and user ids, so stores may share one backend.
 */
export function refreshTokenStoreContract(name: string, makeStore: () => Promise<RefreshTokenBackend>): void {
  describe(`RefreshTokenStore contract: ${name}`, () => {
    let store: RefreshTokenStore;
    let cleanup: () => Promise<void>;
    /** A fixed logical clock, an hour before the families created by `family()` expire. */
    const t0 = Date.now();
    const at = (offsetMs: number) => new Date(t0 + offsetMs);

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(() => cleanup());

    const family = async (fields: Partial<NewFamily> = {}): Promise<NewFamily> => {
      const created: NewFamily = {
        familyId: randomUUID(),
        userId: `user-${randomUUID()}`,
        tokenHash: 'hash-1',
        expiresAt: new Date(t0 + HOUR_MS),
        ...fields,
      };
      await store.createFamily(created);
      return created;
    };

    describe('rotation', () => {
      it('rotates a chain of tokens without extending the absolute expiry', async () => {
        const { familyId, userId, expiresAt } = await family();
        expect(await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual({
          status: 'rotated',
          userId,
          expiresAt,
        });
        expect(await store.rotate(familyId, 'hash-2', 'hash-3', at(60_000), LEEWAY_MS)).toEqual({
          status: 'rotated',
          userId,
          expiresAt,
        });
        expect(await store.isActive(familyId, at(60_000))).toBe(true);
      });

      it('revokes the family when a rotated token is replayed after the leeway', async () => {
        const { familyId } = await family();
        await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS);
        await store.rotate(familyId, 'hash-2', 'hash-3', at(1000), LEEWAY_MS);
        expect(await store.rotate(familyId, 'hash-1', 'hash-x', at(LEEWAY_MS), LEEWAY_MS)).toEqual({
          status: 'reused',
        });
        expect(await store.rotate(familyId, 'hash-3', 'hash-4', at(LEEWAY_MS), LEEWAY_MS)).toEqual({
          status: 'ended',
          reason: SessionEndReason.SESSION_REVOKED,
        });
        expect(await store.isActive(familyId, at(LEEWAY_MS))).toBe(false);
      });

      it('rotates again for the token rotated last, within the leeway: a retry whose answer was lost', async () => {
        const { familyId, userId } = await family();
        await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS);
        // The answer carrying hash-2 never arrived: the client presents hash-1 again.
        expect(await store.rotate(familyId, 'hash-1', 'hash-2b', at(LEEWAY_MS - 1), LEEWAY_MS)).toMatchObject({
          status: 'rotated',
          userId,
        });
        expect(await store.isActive(familyId, at(LEEWAY_MS))).toBe(true);
        // hash-2 was replaced before anyone used it: unknown, and not a replay that ends the session.
        expect(await store.rotate(familyId, 'hash-2', 'hash-3', at(LEEWAY_MS), LEEWAY_MS)).toEqual({
          status: 'invalid',
        });
        expect(await store.rotate(familyId, 'hash-2b', 'hash-3', at(LEEWAY_MS), LEEWAY_MS)).toMatchObject({
          status: 'rotated',
          userId,
        });
        // Past the leeway, hash-1 is a replay.
        expect(await store.rotate(familyId, 'hash-1', 'hash-x', at(LEEWAY_MS + 1), LEEWAY_MS)).toEqual({
          status: 'reused',
        });
      });

      it('answers stale for an older token rotated within the leeway and changes nothing', async () => {
        const { familyId, userId } = await family();
        await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS);
        await store.rotate(familyId, 'hash-2', 'hash-3', at(10), LEEWAY_MS);
        expect(await store.rotate(familyId, 'hash-1', 'hash-x', at(20), LEEWAY_MS)).toEqual({ status: 'stale' });
        expect(await store.rotate(familyId, 'hash-3', 'hash-4', at(30), LEEWAY_MS)).toMatchObject({
          status: 'rotated',
          userId,
        });
      });

      it('answers 20 concurrent rotations of the current token one after the other: the last token is current', async () => {
        const { familyId } = await family();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.rotate(familyId, 'hash-1', `hash-2-${i}`, at(0), LEEWAY_MS)),
        );
        expect(results.filter((r) => r.status === 'rotated')).toHaveLength(20);
        expect(await store.isActive(familyId, at(0))).toBe(true);
        const outcomes = [];
        for (let i = 0; i < 20; i++)
          outcomes.push((await store.rotate(familyId, `hash-2-${i}`, `hash-3-${i}`, at(1), LEEWAY_MS)).status);
        // Exactly one of them was current; the others were replaced unused (unknown, not replays).
        expect(outcomes.filter((o) => o === 'rotated')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'invalid')).toHaveLength(19);
        expect(await store.isActive(familyId, at(1))).toBe(true);
      });
    });

    describe('invalid tokens', () => {
      it('answers invalid for an unknown family', async () => {
        expect(await store.rotate(randomUUID(), 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual({ status: 'invalid' });
        expect(await store.isActive(randomUUID(), at(0))).toBe(false);
      });

      it('answers invalid for a hash that never belonged to the family, without revoking it', async () => {
        const { familyId } = await family();
        expect(await store.rotate(familyId, 'forged', 'hash-2', at(0), LEEWAY_MS)).toEqual({ status: 'invalid' });
        expect(await store.isActive(familyId, at(0))).toBe(true);
        expect(await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toMatchObject({ status: 'rotated' });
      });

      it('answers invalid once now reaches expiresAt, even for the current token', async () => {
        const { familyId, expiresAt } = await family({ expiresAt: new Date(Date.now() + 60_000) });
        const expired = new Date(expiresAt.getTime());
        expect(await store.isActive(familyId, new Date(expiresAt.getTime() - 1))).toBe(true);
        expect(await store.rotate(familyId, 'hash-1', 'hash-2', expired, LEEWAY_MS)).toEqual({ status: 'invalid' });
        expect(await store.isActive(familyId, expired)).toBe(false);
      });
    });

    describe('revocation', () => {
      it('revokes a family once: its userId, then null', async () => {
        const { familyId, userId } = await family();
        expect(await store.revokeFamily(familyId, SessionEndReason.LOGGED_OUT)).toBe(userId);
        expect(await store.revokeFamily(familyId, SessionEndReason.LOGGED_OUT)).toBeNull();
        expect(await store.isActive(familyId, at(0))).toBe(false);
        expect(await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual({
          status: 'ended',
          reason: SessionEndReason.LOGGED_OUT,
        });
        expect(await store.revokeFamily(randomUUID(), SessionEndReason.LOGGED_OUT)).toBeNull();
      });

      it('remembers why a family ended, keeping the first reason, until the family would have expired', async () => {
        const { familyId, expiresAt } = await family();
        await store.revokeFamily(familyId, SessionEndReason.PASSWORD_CHANGED);
        await store.revokeFamily(familyId, SessionEndReason.LOGGED_OUT);
        const ended = { status: 'ended', reason: SessionEndReason.PASSWORD_CHANGED };
        expect(await store.rotate(familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual(ended);
        expect(await store.rotate(familyId, 'forged', 'hash-2', at(0), LEEWAY_MS)).toEqual(ended);
        expect(await store.rotate(familyId, 'hash-1', 'hash-2', expiresAt, LEEWAY_MS)).toEqual({ status: 'invalid' });
      });

      it('tells every live family of a user why it ended when all end at once, not the ones already expired', async () => {
        const userId = `user-${randomUUID()}`;
        const phone = await family({ userId });
        const old = await family({ userId, expiresAt: new Date(Date.now() - 1000) });
        expect(await store.revokeAllForUser(userId, SessionEndReason.ACCOUNT_DELETED)).toEqual([phone.familyId]);
        expect(await store.rotate(phone.familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual({
          status: 'ended',
          reason: SessionEndReason.ACCOUNT_DELETED,
        });
        expect(await store.rotate(old.familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual({ status: 'invalid' });
      });

      it('ends every family of a user, and only theirs', async () => {
        const userId = `user-${randomUUID()}`;
        const phone = await family({ userId });
        const laptop = await family({ userId });
        const revokedEarlier = await family({ userId });
        const someoneElse = await family();
        await store.revokeFamily(revokedEarlier.familyId, SessionEndReason.LOGGED_OUT);

        expect((await store.revokeAllForUser(userId, SessionEndReason.PASSWORD_RESET)).sort()).toEqual(
          [phone.familyId, laptop.familyId].sort(),
        );
        expect(await store.isActive(phone.familyId, at(0))).toBe(false);
        expect(await store.isActive(laptop.familyId, at(0))).toBe(false);
        expect(await store.isActive(someoneElse.familyId, at(0))).toBe(true);
        expect(await store.revokeAllForUser(userId, SessionEndReason.PASSWORD_RESET)).toEqual([]);
        expect(await store.revokeAllForUser(`user-${randomUUID()}`, SessionEndReason.PASSWORD_RESET)).toEqual([]);
      });

      it('ends the families a user opens after revokeAllForUser only on the next call', async () => {
        const userId = `user-${randomUUID()}`;
        await family({ userId });
        await store.revokeAllForUser(userId, SessionEndReason.PASSWORD_RESET);
        const later = await family({ userId });
        expect(await store.isActive(later.familyId, at(0))).toBe(true);
        expect(await store.revokeAllForUser(userId, SessionEndReason.PASSWORD_RESET)).toEqual([later.familyId]);
      });
    });

    describe('creation', () => {
      it('rejects creating a family id that exists, leaving the family unchanged', async () => {
        const created = await family();
        await expect(store.createFamily({ ...created, userId: 'intruder', tokenHash: 'other' })).rejects.toThrow(
          created.familyId,
        );
        expect(await store.rotate(created.familyId, 'hash-1', 'hash-2', at(0), LEEWAY_MS)).toEqual({
          status: 'rotated',
          userId: created.userId,
          expiresAt: created.expiresAt,
        });
      });
    });
  });
}

/** The SQL store on a fresh database of the given kind (SQLite file or MariaDB/MySQL database). */
export async function sqlRefreshTokenBackend(kind: BackendKind): Promise<RefreshTokenBackend> {
  const backend = await createTestBackend(kind);
  const orm = await createOrm(loadConfig({ ...TEST_ENV, ...backend.env }), [
    LoginSession,
    RotatedRefreshToken,
    EndedLoginSession,
  ]);
  await orm.schema.createSchema();
  const store = createSqlRefreshTokenStore(sqlRunnerFor(orm));
  return {
    store,
    async cleanup() {
      await store.dispose();
      await orm.close();
      await backend.cleanup();
    },
  };
}
