import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeServer, GqlError, freshPinia, session, waitFor } from '../test/fakeApi';
import type { RoomPartsFragment } from '../gql/graphql';
import { useAuthStore } from './auth';
import { PREFERENCES_KEY, clampRadius, useMatchStore } from './match';
import { useRoomsStore } from './rooms';

const status = (state: string, offer: unknown = null) => ({ state, radiusKm: 10, accepted: false, offer });
const offered = (matchId = 'm1') => ({
  type: 'OFFERED',
  matchId,
  distanceKm: 5,
  expiresAt: new Date(Date.now() + 30_000).toISOString(),
  partner: { id: 'p', nickname: 'Bo', age: 30, gender: 'MALE', deleted: false, photo: null },
  room: null,
});

let server: FakeServer;
beforeEach(async () => {
  server = new FakeServer();
  freshPinia(server);
  server.handlers.RefreshSession = () => ({ refreshToken: session('me') });
  server.handlers.MatchStatus = () => ({ matchStatus: status('IDLE') });
  server.handlers.RequestMatch = () => ({ requestMatch: status('SEARCHING') });
  server.handlers.RespondToMatch = (v) => ({
    respondToMatch: { ...status('OFFERED', offered()), accepted: Boolean(v.accept) },
  });
  server.handlers.CancelMatch = () => ({ cancelMatch: status('IDLE') });
  await useAuthStore().restore();
});
afterEach(() => {
  useMatchStore().reset();
  useRoomsStore().reset();
  useAuthStore().clear();
});

it('opens matchEvents before requestMatch and sends the clamped radius', async () => {
  const match = useMatchStore();
  match.radiusKm = 250;
  await match.search({ latitude: 37.56, longitude: 126.97 });
  const order = server.calls.map((c) => c.operation);
  expect(order.indexOf('MatchEvents')).toBeLessThan(order.indexOf('RequestMatch'));
  expect(server.calls.find((c) => c.operation === 'RequestMatch')?.variables).toEqual({
    input: { latitude: 37.56, longitude: 126.97, radiusKm: 100 },
  });
  expect(match.view.phase).toBe('searching');
});

it('follows an offer through PEER_ACCEPTED to MATCHED, adding the room', async () => {
  const match = useMatchStore();
  await match.search({ latitude: 1, longitude: 2 });
  server.emit('MatchEvents', { matchEvents: offered() });
  expect(match.view).toMatchObject({ phase: 'offered', offer: { matchId: 'm1', distanceKm: 5 } });
  await match.respond(true);
  expect(server.calls.at(-1)?.variables).toEqual({ matchId: 'm1', accept: true });
  expect(match.view.accepted).toBe(true);
  server.emit('MatchEvents', { matchEvents: { ...offered(), type: 'PEER_ACCEPTED' } });
  expect(match.view.peerAccepted).toBe(true);
  const room = {
    id: 'r9',
    closed: false,
    closedReason: null,
    distanceKm: 5,
    unreadCount: 0,
    lastReadSeq: 0,
    peerLastReadSeq: 0,
    lastActivityAt: '2030-01-01T00:00:00Z',
    createdAt: '2030-01-01T00:00:00Z',
    peer: offered().partner,
    lastMessage: null,
  };
  server.handlers.Room = (v) => ({ room: { ...room, id: v.id } });
  server.emit('MatchEvents', { matchEvents: { ...offered(), type: 'MATCHED', room: { id: 'r9' } } });
  expect(match.view).toMatchObject({ phase: 'matched', roomId: 'r9' });
  await waitFor(() => useRoomsStore().byId.r9 !== undefined);
  expect(useRoomsStore().byId.r9?.peer.nickname).toBe('Bo');
});

it('declining leaves the offer at once; the late DECLINED event changes nothing', async () => {
  const match = useMatchStore();
  await match.search({ latitude: 1, longitude: 2 });
  server.emit('MatchEvents', { matchEvents: offered() });
  await match.respond(false);
  expect(match.view).toMatchObject({ phase: 'idle', notice: 'DECLINED_BY_ME' });
  server.emit('MatchEvents', { matchEvents: { ...offered(), type: 'DECLINED' } });
  expect(match.view).toMatchObject({ phase: 'idle', notice: 'DECLINED_BY_ME' });
});

it('restores an open offer from matchStatus on load', async () => {
  server.handlers.MatchStatus = () => ({ matchStatus: { ...status('OFFERED', offered('m7')), accepted: true } });
  const match = useMatchStore();
  await match.loadStatus();
  expect(match.view).toMatchObject({ phase: 'offered', accepted: true, offer: { matchId: 'm7' } });
});

it('cancels a search', async () => {
  const match = useMatchStore();
  await match.search({ latitude: 1, longitude: 2 });
  await match.cancel();
  expect(match.view.phase).toBe('idle');
  await waitFor(() => server.count('CancelMatch') === 1);
});

it('clamps the radius to 1..100 km', () => {
  expect([clampRadius(0), clampRadius(7.4), clampRadius(1000), clampRadius(Number.NaN)]).toEqual([1, 7, 100, 1]);
});

describe('a search the server lost', () => {
  const interrupted = {
    type: 'INTERRUPTED',
    matchId: 'search:me',
    distanceKm: null,
    expiresAt: null,
    partner: null,
    room: null,
  };
  /** The server's side: requestMatch puts the user in the queue, a loss empties it. */
  let state: string;
  let offer: unknown;
  beforeEach(() => {
    state = 'IDLE';
    offer = null;
    server.handlers.MatchStatus = () => ({ matchStatus: status(state, offer) });
    server.handlers.RequestMatch = () => {
      state = 'SEARCHING';
      return { requestMatch: status('SEARCHING') };
    };
  });
  const requests = () => server.calls.filter((c) => c.operation === 'RequestMatch').map((c) => c.variables);

  it('requests again with the last input after INTERRUPTED', async () => {
    const match = useMatchStore();
    match.radiusKm = 7;
    await match.search({ latitude: 37.5, longitude: 127 });
    state = 'IDLE';
    server.emit('MatchEvents', { matchEvents: interrupted });
    await waitFor(() => requests().length === 2);
    await match.resume();
    const input = { input: { latitude: 37.5, longitude: 127, radiusKm: 7 } };
    expect(requests()).toEqual([input, input]);
    expect(match.view.phase).toBe('searching');
  });

  it('requests again once when the socket comes back from a server restart, however often it reconnects', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    state = 'IDLE';
    server.reconnect();
    server.reconnect();
    await waitFor(() => requests().length === 2);
    await match.resume();
    expect(requests()).toHaveLength(2);
    expect(server.count('MatchStatus')).toBeGreaterThanOrEqual(2);
    expect(match.view.phase).toBe('searching');
  });

  it('leaves a search the server still has alone', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    server.emit('MatchEvents', { matchEvents: interrupted });
    server.reconnect();
    await match.resume();
    expect(requests()).toHaveLength(1);
    expect(match.view.phase).toBe('searching');
  });

  it('does not disturb an offer the server still has', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    server.emit('MatchEvents', { matchEvents: offered('m7') });
    state = 'OFFERED';
    offer = offered('m7');
    server.reconnect();
    await match.resume();
    expect(requests()).toHaveLength(1);
    expect(match.view).toMatchObject({ phase: 'offered', offer: { matchId: 'm7' } });
  });

  it('searches again with the last input when the open offer was lost', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    server.emit('MatchEvents', { matchEvents: offered('m7') });
    state = 'IDLE';
    server.emit('MatchEvents', { matchEvents: interrupted });
    await waitFor(() => requests().length === 2);
    await match.resume();
    expect(requests()).toHaveLength(2);
    expect(match.view).toMatchObject({ phase: 'searching', offer: null });
  });

  it('stays idle after the user cancelled', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    await match.cancel();
    state = 'IDLE';
    server.reconnect();
    server.emit('MatchEvents', { matchEvents: interrupted });
    await match.resume();
    expect(requests()).toHaveLength(1);
    expect(match.view.phase).toBe('idle');
  });

  it('asks the server after an event about an offer it never saw, and searches again if it is idle', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    // The OFFERED of m8 never arrived; the offer expired unanswered and the server made us idle.
    state = 'IDLE';
    server.emit('MatchEvents', { matchEvents: { ...offered('m8'), type: 'EXPIRED' } });
    await waitFor(() => requests().length === 2);
    await match.resume();
    expect(match.view.phase).toBe('searching');
  });

  it('shows an offer it missed when the partner accepted it', async () => {
    const match = useMatchStore();
    await match.search({ latitude: 1, longitude: 2 });
    state = 'OFFERED';
    offer = offered('m9');
    server.emit('MatchEvents', { matchEvents: { ...offered('m9'), type: 'PEER_ACCEPTED' } });
    await waitFor(() => match.view.phase === 'offered');
    expect(match.view.offer?.matchId).toBe('m9');
    expect(requests()).toHaveLength(1);
  });
});

describe('preferences and Next', () => {
  const openRoom = (id: string): RoomPartsFragment => ({
    id,
    closed: false,
    closedReason: null,
    distanceKm: 5,
    unreadCount: 0,
    lastReadSeq: 0,
    peerLastReadSeq: 0,
    lastActivityAt: '2030-01-01T00:00:00Z',
    createdAt: '2030-01-01T00:00:00Z',
    peer: { ...offered().partner, gender: 'MALE' as const },
    lastMessage: null,
  });

  it('sends the chosen preferences with requestMatch and remembers them on the device', async () => {
    const saved = new Map<string, string>();
    const g = globalThis as { localStorage?: unknown };
    g.localStorage = {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => saved.set(k, v),
    };
    try {
      freshPinia(server);
      const match = useMatchStore();
      match.preferences = { genders: ['FEMALE'], minAge: 25, maxAge: null };
      await match.search({ latitude: 1, longitude: 2 });
      expect(server.calls.find((c) => c.operation === 'RequestMatch')?.variables).toEqual({
        input: { latitude: 1, longitude: 2, radiusKm: 10, preferences: { genders: ['FEMALE'], minAge: 25 } },
      });
      expect(JSON.parse(saved.get(PREFERENCES_KEY)!)).toEqual({ genders: ['FEMALE'], minAge: 25, maxAge: null });
      match.reset();
      freshPinia(server);
      expect(useMatchStore().preferences).toEqual({ genders: ['FEMALE'], minAge: 25, maxAge: null });
    } finally {
      delete g.localStorage;
    }
  });

  it('refuses to search with an age range the API would refuse, without calling it', async () => {
    const match = useMatchStore();
    match.preferences = { genders: [], minAge: 40, maxAge: 30 };
    await expect(match.search({ latitude: 1, longitude: 2 })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'PREFERENCES_INVALID',
    });
    expect(server.count('RequestMatch')).toBe(0);
  });

  it('Next leaves the room and searches with the same input in one nextMatch call', async () => {
    server.handlers.NextMatch = () => ({ nextMatch: status('SEARCHING') });
    useRoomsStore().upsert(openRoom('r1'));
    const match = useMatchStore();
    match.preferences = { genders: [], minAge: null, maxAge: 35 };
    await match.next('r1', { latitude: 3, longitude: 4 });
    expect(server.calls.find((c) => c.operation === 'NextMatch')?.variables).toEqual({
      roomId: 'r1',
      input: { latitude: 3, longitude: 4, radiusKm: 10, preferences: { maxAge: 35 } },
    });
    expect(match.view.phase).toBe('searching');
    // Gone for this user; the partner keeps it, closed as NEXT.
    expect(useRoomsStore().byId.r1).toBeUndefined();
  });

  it('keeps the room open when Next is refused, and throws the wait', async () => {
    server.handlers.NextMatch = () => {
      throw new GqlError('RATE_LIMITED', { retryAfterSeconds: 30 });
    };
    useRoomsStore().upsert(openRoom('r2'));
    const match = useMatchStore();
    await expect(match.next('r2', { latitude: 3, longitude: 4 })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 30,
    });
    expect(useRoomsStore().byId.r2?.closed).toBe(false);
    expect(match.view.phase).toBe('idle');
  });
});
