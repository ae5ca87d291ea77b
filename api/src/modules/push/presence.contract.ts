import type { Presence, PresenceOptions } from './presence.port';

/** Makes an adapter on one shared backend: instances with different ids see each other's holds. */
export type PresenceFactory = (options: PresenceOptions) => Promise<Presence>;

/** The behaviour every Presence adapter must show (presence.memory.test.ts, presence.redis.test.ts). */
export function presenceContract(name: string, makePresence: PresenceFactory): void {
  describe(`Presence contract: ${name}`, () => {
    let clock = 1_000_000;
    const now = () => clock;
    let users = 0;
    const user = () => `user-${++users}-${Math.random().toString(36).slice(2)}`;
    const instance = (instanceId: string) => makePresence({ instanceId, ttlMs: 60_000, now });

    it('tells a held user online and anyone else offline', async () => {
      const presence = await instance('a');
      const [held, other] = [user(), user()];
      await presence.hold([held]);
      expect(await presence.isOnline(held)).toBe(true);
      expect(await presence.isOnline(other)).toBe(false);
    });

    it('holds several users at once, and releases one without the others', async () => {
      const presence = await instance('a');
      const [u1, u2] = [user(), user()];
      await presence.hold([u1, u2]);
      await presence.release(u1);
      expect(await presence.isOnline(u1)).toBe(false);
      expect(await presence.isOnline(u2)).toBe(true);
      // Releasing again changes nothing.
      await presence.release(u1);
      expect(await presence.isOnline(u1)).toBe(false);
    });

    it('keeps a user online while another instance still holds them', async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const u = user();
      await a.hold([u]);
      await b.hold([u]);
      await a.release(u);
      expect(await a.isOnline(u)).toBe(true);
      expect(await b.isOnline(u)).toBe(true);
      await b.release(u);
      expect(await a.isOnline(u)).toBe(false);
    });

    it('lets a hold lapse after ttlMs unless renewed (an instance that died)', async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const [renewed, lapsed] = [user(), user()];
      await a.hold([renewed, lapsed]);
      clock += 40_000;
      await a.hold([renewed]);
      clock += 30_000;
      expect(await b.isOnline(renewed)).toBe(true);
      expect(await b.isOnline(lapsed)).toBe(false);
      clock += 30_000;
      expect(await b.isOnline(renewed)).toBe(false);
    });
  });
}
