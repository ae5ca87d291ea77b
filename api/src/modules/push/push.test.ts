import { randomUUID } from 'node:crypto';
import { backendKind } from '../../../test/utils/backend';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { area, MatchPlayer, north } from '../../../test/utils/match-player';
import { readCounter } from '../../../test/utils/metrics';
import { ok } from '../../../test/utils/ok';
import { TestPushService, type TestDevice } from '../../../test/utils/push-service';
import { createRoomPair } from '../../../test/utils/room-pair';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser, type TestUser } from '../../../test/utils/users';
import { verifyVapid } from '../../../test/utils/vapid';
import { waitFor } from '../../../test/utils/wait-for';
import { openAcked } from '../../../test/utils/ws-client';

const PUBLIC_KEY = '{ pushPublicKey }';
const REGISTER = 'mutation($input: PushSubscriptionInput!) { registerPushSubscription(input: $input) }';
const UNREGISTER = 'mutation($endpoint: String!) { unregisterPushSubscription(endpoint: $endpoint) }';
const DEVICE = 'query($endpoint: String!) { pushDevice(endpoint: $endpoint) { deviceLabel previews lastUsedAt } }';
const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq } }';

let api: TestServer;
let pushService: TestPushService;
let publicKey: string;
const players: MatchPlayer[] = [];

const call = (user: TestUser | undefined, query: string, variables?: Record<string, unknown>) =>
  gql(api.graphqlUrl, query, variables, { token: user?.accessToken });
const register = (user: TestUser, device: TestDevice, label?: string, previews?: boolean) =>
  call(user, REGISTER, { input: device.input(label, previews) });
const send = (user: TestUser, roomId: string, body: string) =>
  call(user, SEND, { input: { roomId, body, clientMessageId: randomUUID() } });
const devicesOf = (userId: string) =>
  queryDb<{ endpoint: string; device_label: string; previews: number | boolean }>(
    api.backend,
    'SELECT endpoint, device_label, previews FROM push_subscriptions WHERE user_id = ? ORDER BY device_label',
    [userId],
  );
/** Waits for `n` pushes to `device` (5 s at most) and returns them. */
async function pushesTo(device: TestDevice, n = 1) {
  await waitFor(() => pushService.to(device).length >= n, { message: `${n} push(es) to device ${device.id}` });
  return pushService.to(device);
}

/**
 * Sends through `api` to a recipient with a live socket, and waits until `api` decided that message
 * needs no push (decisions run in the background, and one made after the socket closed would push).
 */
async function sentWhileOnline(sending: () => ReturnType<typeof send>) {
  const skipped = await readCounter(api.url, 'push_skipped_online_total');
  ok(await sending());
  await waitFor(async () => (await readCounter(api.url, 'push_skipped_online_total')) === skipped + 1, {
    message: 'the message push skipped: the recipient is online',
  });
}

/** A room whose `b` holds no socket (its matchEvents socket closed, and the server saw it close). */
async function roomWithOfflinePeer(areaIndex: number) {
  const pair = await createRoomPair(api, areaIndex);
  players.push(pair.a, pair.b);
  const open = await readCounter(api.url, 'ws_open_sockets');
  await pair.b.close();
  await waitFor(async () => (await readCounter(api.url, 'ws_open_sockets')) === open - 1, {
    message: "the server saw b's socket close",
  });
  return { roomId: pair.roomId, a: pair.a.user, b: pair.b.user };
}

beforeAll(async () => {
  pushService = await TestPushService.start();
  api = await startTestServer();
  publicKey = ok(await call(undefined, PUBLIC_KEY)).pushPublicKey;
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
  await pushService.close();
});

describe('the VAPID key', () => {
  it('is a P-256 public key anyone can read, generated once into the data directory and kept across restarts', async () => {
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(publicKey, 'base64url')[0]).toBe(0x04);
    const restarted = await startTestServer({ backend: api.backend });
    try {
      expect(ok(await gql(restarted.graphqlUrl, PUBLIC_KEY)).pushPublicKey).toBe(publicKey);
    } finally {
      await restarted.close();
    }
  });
});

describe('subscriptions', () => {
  it('stores one subscription per device, updates a device registered again, and unregisters one device only', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const [phone, laptop] = [pushService.device(), pushService.device()];
    expect(ok(await register(user, phone, 'Phone')).registerPushSubscription).toBe(true);
    expect(ok(await register(user, laptop, 'Laptop')).registerPushSubscription).toBe(true);
    // The same endpoint again (the app re-subscribing) updates its row: no second one.
    expect(ok(await register(user, phone, 'My phone', true)).registerPushSubscription).toBe(true);
    expect((await devicesOf(user.id)).map((d) => ({ ...d, previews: Boolean(d.previews) }))).toEqual([
      { endpoint: laptop.endpoint, device_label: 'Laptop', previews: false },
      { endpoint: phone.endpoint, device_label: 'My phone', previews: true },
    ]);

    // The app reads its own device's settings back; nobody else's.
    expect(ok(await call(user, DEVICE, { endpoint: phone.endpoint })).pushDevice).toEqual({
      deviceLabel: 'My phone',
      previews: true,
      lastUsedAt: null,
    });

    expect(ok(await call(user, UNREGISTER, { endpoint: laptop.endpoint })).unregisterPushSubscription).toBe(true);
    expect((await devicesOf(user.id)).map((d) => d.endpoint)).toEqual([phone.endpoint]);
    // Not (or no longer) one of this user's devices.
    expect(ok(await call(user, UNREGISTER, { endpoint: laptop.endpoint })).unregisterPushSubscription).toBe(false);
    const other = await signUpUser(api.graphqlUrl);
    expect(ok(await call(other, DEVICE, { endpoint: phone.endpoint })).pushDevice).toBeNull();
    expect(ok(await call(other, UNREGISTER, { endpoint: phone.endpoint })).unregisterPushSubscription).toBe(false);
    expect((await devicesOf(user.id)).map((d) => d.endpoint)).toEqual([phone.endpoint]);
  });

  it('moves a device to the account that registers it last (one person, another login on the same phone)', async () => {
    const [first, second] = [await signUpUser(api.graphqlUrl), await signUpUser(api.graphqlUrl)];
    const phone = pushService.device();
    ok(await register(first, phone));
    ok(await register(second, phone));
    expect(await devicesOf(first.id)).toEqual([]);
    expect((await devicesOf(second.id)).map((d) => d.endpoint)).toEqual([phone.endpoint]);
  });

  it("deletes an account's devices with the account", async () => {
    const user = await signUpUser(api.graphqlUrl);
    ok(await register(user, pushService.device(), 'Phone'));
    ok(await register(user, pushService.device(), 'Laptop'));
    expect(await devicesOf(user.id)).toHaveLength(2);
    ok(await call(user, 'mutation($p: String!) { deleteAccount(password: $p) }', { p: user.password }));
    expect(await devicesOf(user.id)).toEqual([]);
  });

  it('refuses malformed subscriptions with BAD_USER_INPUT naming the field, and anonymous callers', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const good = pushService.device().input();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, endpoint: 'http://push.example.com/x' }, 'endpoint'],
      [{ ...good, endpoint: 'ftp://127.0.0.1/x' }, 'endpoint'],
      [{ ...good, endpoint: 'not a url' }, 'endpoint'],
      [{ ...good, endpoint: `https://push.example.com/${'x'.repeat(600)}` }, 'endpoint'],
      [{ ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.slice(0, 40) } }, 'keys.p256dh'],
      [{ ...good, keys: { ...good.keys, p256dh: `${good.keys.p256dh}=` } }, 'keys.p256dh'],
      [{ ...good, keys: { ...good.keys, auth: Buffer.alloc(8).toString('base64url') } }, 'keys.auth'],
      [{ ...good, deviceLabel: '   ' }, 'deviceLabel'],
      [{ ...good, deviceLabel: 'x'.repeat(61) }, 'deviceLabel'],
    ];
    for (const [input, field] of cases) {
      const res = await call(user, REGISTER, { input });
      expect({ field, codes: codes(res), at: res.errors?.[0]?.extensions?.field }).toEqual({
        field,
        codes: ['BAD_USER_INPUT'],
        at: field,
      });
    }
    expect(await devicesOf(user.id)).toEqual([]);
    expect(codes(await call(undefined, REGISTER, { input: good }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await call(undefined, UNREGISTER, { endpoint: good.endpoint }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('pushes', () => {
  it('pushes a new message to a recipient with no live socket: VAPID-signed for the endpoint, encrypted for the device, no text without previews', async () => {
    const { roomId, a, b } = await roomWithOfflinePeer(0);
    const phone = pushService.device();
    ok(await register(b, phone));
    ok(await send(a, roomId, 'meet at the station at 7, my number is 010-1234-5678'));

    const [push] = await pushesTo(phone);
    const claims = verifyVapid(push!.headers.authorization, phone.endpoint, publicKey);
    expect(claims.sub).toBe('mailto:no-reply@localhost');
    expect(push!.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(push!.headers.ttl)).toBeGreaterThan(0);
    expect(phone.open(push!)).toEqual({ type: 'MESSAGE', roomId, text: 'New message' });
    // The device's last use is recorded once the push service took it.
    await waitFor(async () => ok(await call(b, DEVICE, { endpoint: phone.endpoint })).pushDevice.lastUsedAt !== null, {
      message: 'lastUsedAt set',
    });
  });

  it('answers sendMessage without waiting for the push service (it still holds the push), and records the push once answered', async () => {
    const { roomId, a, b } = await roomWithOfflinePeer(6);
    const slow = pushService.device(201, { hold: true });
    ok(await register(b, slow));
    ok(await send(a, roomId, 'no waiting'));
    // The send has answered; the push reaches the service after it and gets no answer yet.
    const [push] = await pushesTo(slow);
    expect(slow.open(push!)).toMatchObject({ type: 'MESSAGE', roomId });
    expect(ok(await call(b, DEVICE, { endpoint: slow.endpoint })).pushDevice.lastUsedAt).toBeNull();
    pushService.release(slow);
    await waitFor(async () => ok(await call(b, DEVICE, { endpoint: slow.endpoint })).pushDevice.lastUsedAt !== null, {
      message: 'lastUsedAt set once the push service answered',
    });
  });

  it('shows the start of the message on a device that allows previews', async () => {
    const { roomId, a, b } = await roomWithOfflinePeer(1);
    const [withPreviews, without] = [pushService.device(), pushService.device()];
    ok(await register(b, withPreviews, 'Phone', true));
    ok(await register(b, without, 'Laptop', false));
    const body = `안녕하세요 ${'가'.repeat(100)}`;
    ok(await send(a, roomId, body));

    const [push] = await pushesTo(withPreviews);
    const payload = withPreviews.open(push!);
    expect(payload).toEqual({
      type: 'MESSAGE',
      roomId,
      text: 'New message',
      preview: `${[...body].slice(0, 79).join('')}…`,
    });
    expect([...(payload.preview as string)]).toHaveLength(80);
    const [plain] = await pushesTo(without);
    expect(without.open(plain!)).toEqual({ type: 'MESSAGE', roomId, text: 'New message' });
  });

  it('sends no message push while the recipient holds a live socket, and does once the socket is gone', async () => {
    const { roomId, a, b } = await roomWithOfflinePeer(2);
    const phone = pushService.device();
    ok(await register(b, phone, 'Phone', true));

    const { socket } = await openAcked(api.wsUrl, b.accessToken);
    const open = await readCounter(api.url, 'ws_open_sockets');
    await sentWhileOnline(() => send(a, roomId, 'while online'));
    socket.close();
    await waitFor(async () => (await readCounter(api.url, 'ws_open_sockets')) === open - 1, {
      message: "the server saw b's socket close",
    });
    ok(await send(a, roomId, 'while away'));

    const pushes = await pushesTo(phone);
    expect(pushes.map((p) => phone.open(p).preview)).toEqual(['while away']);
  });

  (backendKind() === 'real' ? it : it.skip)(
    'sees a socket held on another instance (presence in Redis) and sends no push then',
    async () => {
      const { roomId, a, b } = await roomWithOfflinePeer(3);
      const phone = pushService.device();
      ok(await register(b, phone, 'Phone', true));
      const other = await startTestServer({ backend: api.backend });
      try {
        const { socket, closed } = await openAcked(other.wsUrl, b.accessToken);
        await sentWhileOnline(() => send(a, roomId, 'b is on the other instance'));
        socket.close();
        await closed;
        await waitFor(async () => (await readCounter(other.url, 'ws_open_sockets')) === 0, {
          message: 'the other instance saw the socket close',
        });
        ok(await send(a, roomId, 'b is gone'));
        const pushes = await pushesTo(phone);
        expect(pushes.map((p) => phone.open(p).preview)).toEqual(['b is gone']);
      } finally {
        await other.close();
      }
    },
  );

  it('pushes an offer to both people, with the match id only (no distance, position or partner) and the offer lifetime as TTL', async () => {
    const [a, b] = [await MatchPlayer.create(api), await MatchPlayer.create(api)];
    players.push(a, b);
    const [phoneA, phoneB] = [pushService.device(), pushService.device()];
    ok(await register(a.user, phoneA, 'Phone', true));
    ok(await register(b.user, phoneB, 'Phone', true));
    const at = area(4);
    ok(await a.request(at, 5));
    ok(await b.request(north(at, 1), 5));
    const { matchId } = await a.next('OFFERED');

    for (const phone of [phoneA, phoneB]) {
      const [push] = await pushesTo(phone);
      expect(phone.open(push!)).toEqual({ type: 'OFFERED', matchId, text: 'Someone nearby wants to chat' });
      expect(push!.headers.ttl).toBe('30');
      expect(push!.headers.urgency).toBe('high');
      verifyVapid(push!.headers.authorization, phone.endpoint, publicKey);
    }
  });

  it('deletes subscriptions the push service answers 410 or 404 for, and keeps one it answered 500 for', async () => {
    const { roomId, a, b } = await roomWithOfflinePeer(5);
    const [gone, unknown, failing, fine] = [
      pushService.device(410),
      pushService.device(404),
      pushService.device(500),
      pushService.device(),
    ];
    for (const [device, label] of [
      [gone, 'a'],
      [unknown, 'b'],
      [failing, 'c'],
      [fine, 'd'],
    ] as const)
      ok(await register(b, device, label));
    ok(await send(a, roomId, 'hello'));

    for (const device of [gone, unknown, failing, fine]) await pushesTo(device);
    await waitFor(async () => (await devicesOf(b.id)).length === 2, { message: 'the 410 and 404 devices deleted' });
    expect((await devicesOf(b.id)).map((d) => d.endpoint)).toEqual([failing.endpoint, fine.endpoint]);
  });
});
