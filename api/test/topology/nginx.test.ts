import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { sendAcked } from '../utils/acked-send';
import { createTestBackend, type TestBackend } from '../utils/backend';
import { Chatter, type ChatMessage } from '../utils/chatter';
import { clientOn } from '../utils/client-on';
import { describeTopology } from '../utils/describe-topology';
import { gql } from '../utils/graphql';
import { area, MATCH_EVENTS, north, type MatchEvent, type Position } from '../utils/match-player';
import { readCounter } from '../utils/metrics';
import { ok } from '../utils/ok';
import { subscribeRoom } from '../utils/room-events';
import { spawnInstance, type SpawnedInstance } from '../utils/spawn-instance';
import { collect, type Collected } from '../utils/subscription';
import { freePort, portOf, startNginx, type NginxServer } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { signUpUser, type TestUser } from '../utils/users';
import { waitFor } from '../utils/wait-for';

const REQUEST = 'mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state } }';
const RESPOND = 'mutation($id: ID!) { respondToMatch(matchId: $id, accept: true) { state } }';
const STATUS = '{ matchStatus { state } }';
const TYPING = 'mutation($roomId: ID!) { setTyping(roomId: $roomId) }';
/** graphql-ws reconnects quickly and often: what a client does after its server vanished. */
const RECONNECTING = { retryAttempts: 30, retryWaitMs: 200 };

type MatchStream = Collected<{ matchEvents: MatchEvent }>;

describeTopology('nginx in front of two API instances (nginx/randchat.server.conf)', ['nginx'], () => {
  let scope: TopologyScope;
  let backend: TestBackend;
  let one: SpawnedInstance;
  let two: SpawnedInstance;
  let lb: NginxServer;
  const clients: Client[] = [];

  /** A user whose every HTTP call goes through nginx. */
  const user = async (): Promise<{ account: TestUser; chat: Chatter }> => {
    const account = await signUpUser(lb.graphqlUrl);
    return { account, chat: new Chatter(account, lb.graphqlUrl) };
  };
  /** A graphql-ws client through nginx that landed on `instance` (kept until the file ends). */
  const socketOn = async (token: string, instance: SpawnedInstance, options = {}) => {
    const client = await clientOn(lb.wsUrl, token, instance, [one, two], options);
    clients.push(client);
    return client;
  };
  /** Status nginx answers to an upload announcing `bytes` (it refuses by Content-Length, before any body). */
  const declaredUpload = (bytes: number) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${lb.url}/uploads`, { method: 'POST', headers: { 'content-length': bytes } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  const search = (who: Chatter, at: Position) =>
    who.call(REQUEST, { input: { latitude: at.lat, longitude: at.lon, radiusKm: 5 } });
  const stateOf = async (who: Chatter) =>
    ok(await who.call<{ matchStatus: { state: string } }>(STATUS)).matchStatus.state;

  /** a and b (sockets already open) are matched through nginx; resolves with their room and live room streams. */
  async function match(a: Chatter, aSocket: Client, b: Chatter, bSocket: Client, at: Position) {
    const aEvents: MatchStream = collect(aSocket, MATCH_EVENTS);
    const bEvents: MatchStream = collect(bSocket, MATCH_EVENTS);
    ok(await search(a, at));
    ok(await search(b, north(at, 1)));
    const offer = (await aEvents.next((e) => e.matchEvents.type === 'OFFERED')).matchEvents;
    expect(offer.partner!.id).toBe(b.id);
    ok(await a.call(RESPOND, { id: offer.matchId }));
    ok(await b.call(RESPOND, { id: offer.matchId }));
    const matched = await Promise.all(
      [aEvents, bEvents].map((s) => s.next((e) => e.matchEvents.type === 'MATCHED', 10_000)),
    );
    const roomId = matched[0]!.matchEvents.room!.id;
    expect(matched[1]!.matchEvents.room!.id).toBe(roomId);
    aEvents.close();
    bEvents.close();
    const aRoom = subscribeRoom(aSocket, roomId);
    const bRoom = subscribeRoom(bSocket, roomId);
    await aRoom.untilLive(() => b.call(TYPING, { roomId }));
    await bRoom.untilLive(() => a.call(TYPING, { roomId }));
    return { roomId, aRoom, bRoom };
  }

  beforeAll(async () => {
    scope = new TopologyScope();
    backend = scope.add(await createTestBackend(), (b) => b.cleanup());
    const env = {
      ...backend.env,
      LOG_LEVEL: 'warn',
      CHAT_MESSAGES_PER_MINUTE: '100000',
      CHAT_TYPING_PER_MINUTE: '100000',
      MATCH_PRESENCE_GRACE_SECONDS: '3',
      MATCH_SWEEP_INTERVAL: '200ms',
    };
    [one, two] = await scope.addAll([spawnInstance(env), spawnInstance(env)], (i) => i.stop());
    const webRoot = scope.path('web');
    mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>randchat topology test</title>');
    writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log("randchat");');
    lb = scope.add(
      await startNginx({
        dir: scope.path('nginx'),
        port: await freePort(),
        upstreams: [portOf(one.url), portOf(two.url)],
        webRoot,
      }),
      (n) => n.stop(),
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    await scope?.dispose();
  }, 90_000);

  it('serves the web app and hands the API routes to the instances', async () => {
    const page = await fetch(`${lb.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('randchat topology test');
    // A client-side route gets the app too.
    expect(await (await fetch(`${lb.url}/rooms/some-room`)).text()).toContain('randchat topology test');
    const asset = await fetch(`${lb.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    const health = await fetch(`${lb.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    // nginx's request id reaches the API, which logs it and echoes it.
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect((await fetch(`${lb.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${lb.url}/metrics`)).status).toBe(404);
    expect(ok(await gql(lb.graphqlUrl, '{ __typename }'))).toEqual({ __typename: 'Query' });
    // Answered by the API (its JSON errors carry a request id), not by nginx's static files.
    for (const route of ['/media/not-an-image?exp=1&sig=x', '/playground']) {
      expect((await fetch(`${lb.url}${route}`)).headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    }
    // Uploads up to 6 MB reach the API (which wants a token first); nginx refuses bigger bodies itself.
    const upload = (bytes: number) =>
      fetch(`${lb.url}/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(bytes),
      });
    const belowCap = await upload(5.5 * 1024 * 1024);
    expect(belowCap.status).toBe(401);
    expect(belowCap.headers.get('x-request-id')).toBeTruthy();
    expect(await declaredUpload(7 * 1024 * 1024)).toBe(413);
  });

  it('matches two users on different instances and lets them chat over WebSockets, all through nginx', async () => {
    const [a, b] = [await user(), await user()];
    const aSocket = await socketOn(a.account.accessToken, one);
    const bSocket = await socketOn(b.account.accessToken, two);
    const { roomId, aRoom, bRoom } = await match(a.chat, aSocket, b.chat, bSocket, area(40));

    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 10; i++)
      sent.push(ok(await (i % 2 ? a : b).chat.send(roomId, `through nginx ${i}`)).sendMessage);
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const stream of [aRoom, bRoom]) {
      expect(await stream.untilMessages(10)).toEqual(sent);
      expect(stream.errors).toEqual([]);
    }
  });

  it('moves clients of a SIGKILLed instance to the other one: they resubscribe, catch up with messagesAfter, lose nothing, and nobody is stuck in the queue', async () => {
    const [a, b] = [await user(), await user()];
    // a stays on instance one; b's socket is on two, the instance that dies.
    const aSocket = await socketOn(a.account.accessToken, one, RECONNECTING);
    const bSocket = await socketOn(b.account.accessToken, two, RECONNECTING);
    const { roomId, bRoom } = await match(a.chat, aSocket, b.chat, bSocket, area(41));
    let bReconnected = false;
    bSocket.on('connected', (_socket, _payload, wasRetry) => (bReconnected ||= wasRetry));

    // Searching when the instance dies: c's client gives up (a vanished user), d's reconnects.
    const [c, d] = [await user(), await user()];
    const cEvents: MatchStream = collect(await socketOn(c.account.accessToken, two), MATCH_EVENTS);
    const dEvents: MatchStream = collect(await socketOn(d.account.accessToken, two, RECONNECTING), MATCH_EVENTS);
    ok(await search(c.chat, area(42)));
    ok(await search(d.chat, area(43)));
    expect([await stateOf(c.chat), await stateOf(d.chat)]).toEqual(['SEARCHING', 'SEARCHING']);

    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 30; i++) {
      if (i === 6) two.process.kill('SIGKILL');
      sent.push((await sendAcked(a.chat, roomId, `kill ${i}`)).message);
    }
    expect(sent.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // b's client reconnected through nginx (to instance one) and resubscribed by itself.
    await waitFor(() => bReconnected, { timeoutMs: 10_000, message: "b's client to reconnect through nginx" });
    const heard = bRoom.events.length;
    await waitFor(async () => bRoom.events.length > heard || (await a.chat.call(TYPING, { roomId }), false), {
      timeoutMs: 10_000,
      intervalMs: 200,
      message: "b's resubscribed roomEvents to deliver again",
    });
    const afterReconnect = (await sendAcked(a.chat, roomId, 'after the reconnect')).message;
    await bRoom.next((e) => e.message?.seq === afterReconnect.seq, 10_000);
    sent.push(afterReconnect);

    // What b saw live up to its first gap, then messagesAfter from there: everything, once, in order.
    const live = bRoom.messages();
    let contiguous = 0;
    while (live.some((m) => m.seq === contiguous + 1)) contiguous++;
    const caughtUp = ok(await b.chat.messagesAfter(roomId, contiguous)).messagesAfter;
    const merged = new Map<number, ChatMessage>();
    for (const m of [...live.filter((m) => m.seq <= contiguous), ...caughtUp]) merged.set(m.seq, m);
    expect([...merged.values()].sort((x, y) => x.seq - y.seq)).toEqual(sent);
    expect(new Set(live.map((m) => m.id)).size).toBe(live.length);

    // d reconnected and is still searching: a newcomer nearby is offered to it.
    const e = await user();
    const eEvents: MatchStream = collect(await socketOn(e.account.accessToken, one), MATCH_EVENTS);
    expect(await stateOf(d.chat)).toBe('SEARCHING');
    ok(await search(e.chat, north(area(43), 1)));
    const offerToD = await dEvents.next((ev) => ev.matchEvents.type === 'OFFERED', 10_000);
    expect(offerToD.matchEvents.partner!.id).toBe(e.account.id);
    expect((await eEvents.next((ev) => ev.matchEvents.type === 'OFFERED')).matchEvents.partner!.id).toBe(d.account.id);
    // c's presence died with its instance: the survivor removes it from the queue after the grace period.
    await waitFor(async () => (await stateOf(c.chat)) === 'IDLE', {
      timeoutMs: 10_000,
      message: 'the vanished searcher to be removed from the queue',
    });
    expect(cEvents.items.filter((ev) => ev.matchEvents.type === 'OFFERED')).toEqual([]);
    expect(await readCounter(one.url, 'ws_open_sockets')).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
