import { SessionLiveness } from './session-liveness';

/** The store of record, by hand: which sessions are live, how often it was asked, and answers it can hold back. */
function store(live: string[]) {
  const sessions = new Set(live);
  const held: (() => void)[] = [];
  let holding = false;
  return {
    sessions,
    asked: 0,
    /** Answers given from now on wait until `release()` (what a slow round trip looks like). */
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      held.splice(0).forEach((answer) => answer());
    },
    lookup(id: string): Promise<boolean> {
      this.asked++;
      const live = sessions.has(id);
      return holding ? new Promise((resolve) => held.push(() => resolve(live))) : Promise.resolve(live);
    },
  };
}

function liveness(live: string[], options: { ttlMs: number; maxEntries?: number }) {
  const backing = store(live);
  const cache = new SessionLiveness((id) => backing.lookup(id), options);
  cache.setListening(true);
  return { backing, cache };
}

beforeEach(() => jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') }));
afterEach(() => jest.useRealTimers());

describe('answers from the cache', () => {
  it('asks the store once per session within the TTL, and again after it', async () => {
    const { backing, cache } = liveness(['s1'], { ttlMs: 3000 });
    expect(await cache.isLive('s1')).toBe(true);
    expect(await cache.isLive('s1')).toBe(true);
    expect(backing.asked).toBe(1);
    jest.advanceTimersByTime(3000);
    backing.sessions.delete('s1');
    expect(await cache.isLive('s1')).toBe(false);
    expect(backing.asked).toBe(2);
  });

  it('keeps refusals too: an ended session never comes back', async () => {
    const { backing, cache } = liveness([], { ttlMs: 3000 });
    expect(await cache.isLive('gone')).toBe(false);
    expect(await cache.isLive('gone')).toBe(false);
    expect(backing.asked).toBe(1);
  });

  it('asks the store every time with a TTL of 0', async () => {
    const { backing, cache } = liveness(['s1'], { ttlMs: 0 });
    await cache.isLive('s1');
    await cache.isLive('s1');
    expect(backing.asked).toBe(2);
  });

  it('reuses no live answer while revocation events do not reach the instance', async () => {
    const { backing, cache } = liveness(['s1'], { ttlMs: 3000 });
    await cache.isLive('s1');
    cache.setListening(false);
    await cache.isLive('s1');
    await cache.isLive('s1');
    expect(backing.asked).toBe(3);
  });

  it('remembers at most maxEntries sessions, dropping the oldest first', async () => {
    const { backing, cache } = liveness(['a', 'b', 'c'], { ttlMs: 3000, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) await cache.isLive(id);
    await cache.isLive('c');
    await cache.isLive('b');
    expect(backing.asked).toBe(3);
    await cache.isLive('a');
    expect(backing.asked).toBe(4);
  });
});

describe('revocations', () => {
  it('refuses a revoked session at once, though a live answer was fresh', async () => {
    const { backing, cache } = liveness(['s1', 's2'], { ttlMs: 60_000 });
    await cache.isLive('s1');
    await cache.isLive('s2');
    backing.sessions.delete('s1');
    cache.revoke(['s1']);
    expect(await cache.isLive('s1')).toBe(false);
    expect(await cache.isLive('s2')).toBe(true);
    expect(backing.asked).toBe(2);
  });

  it('never stores the live answer of a lookup that was in flight when a revocation came', async () => {
    const { backing, cache } = liveness(['s1'], { ttlMs: 60_000 });
    backing.hold();
    const inFlight = cache.isLive('s1');
    // The revocation overtakes the answer (it came on another connection, or the answer was slow).
    backing.sessions.delete('s1');
    cache.revoke(['s1']);
    backing.release();
    expect(await inFlight).toBe(true);
    expect(await cache.isLive('s1')).toBe(false);
  });

  it('stores nothing live from a lookup that overlapped a revocation of any session', async () => {
    const { backing, cache } = liveness(['s1'], { ttlMs: 60_000 });
    backing.hold();
    const inFlight = cache.isLive('s1');
    cache.revoke(['other']);
    backing.release();
    await inFlight;
    await cache.isLive('s1');
    expect(backing.asked).toBe(2);
  });
});
