import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { createTestBackend, type TestBackend } from '../utils/backend';
import { Chatter, newClientMessageId, type ChatMessage } from '../utils/chatter';
import { storedMessages } from '../utils/db-query';
import { describeTopology } from '../utils/describe-topology';
import { area, MatchPlayer, north } from '../utils/match-player';
import { ok } from '../utils/ok';
import { recoveredView, subscribeRoom, type RoomEventStream } from '../utils/room-events';
import { createRoomPair } from '../utils/room-pair';
import { spawnInstance, type SpawnedInstance } from '../utils/spawn-instance';
import { startRedisCluster, type RedisCluster, type RedisServer } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { waitFor } from '../utils/wait-for';
import { wsClient } from '../utils/ws-client';

const RADIUS_KM = 5;
const SEND_EVERY_MS = 100;
/** A failed attempt must have answered within the operation deadline (OPERATION_DEADLINE, 2 s) plus slack. */
const FAIL_FAST_MS = 3000;

/** One send attempt as the client saw it. */
interface Attempt {
  ok: boolean;
  code?: unknown;
  retryAfterMs?: unknown;
  ms: number;
}

/** A conversation: `a` sends through instance one, `b` listens through instance two. */
interface Conversation {
  roomId: string;
  a: Chatter;
  b: Chatter;
  ofB: RoomEventStream;
  /** Every message the server acknowledged, in send order. */
  acked: ChatMessage[];
  /** Whether its channel lives on the shard that is killed. */
  onKilledShard: boolean;
}

describeTopology(
  'API instances on a Redis Cluster whose masters fail (3 masters + 3 replicas of its own, SIGKILL)',
  ['redis'],
  () => {
    let scope: TopologyScope;
    let cluster: RedisCluster;
    let backend: TestBackend;
    let prefix: string;
    let one: SpawnedInstance;
    let two: SpawnedInstance;
    const players: MatchPlayer[] = [];
    const clients: Client[] = [];

    const ready = async (instance: SpawnedInstance) => (await fetch(`${instance.url}/readyz`)).status === 200;
    const queueMaster = () => cluster.masterOf(`${prefix}{match}:generation`);
    const roomMaster = (roomId: string) => cluster.masterOf(`${prefix}room:${roomId}`);

    /** Sends one message like a client that keeps it until acknowledged, recording every attempt. */
    const sendUntilAcked = async (c: Conversation, body: string, attempts: Attempt[]) => {
      const clientMessageId = newClientMessageId();
      for (;;) {
        const started = Date.now();
        const res = await c.a.send(c.roomId, body, clientMessageId);
        const error = res.errors?.[0];
        attempts.push({
          ok: Boolean(res.data?.sendMessage),
          ms: Date.now() - started,
          ...(error ? { code: error.extensions?.code, retryAfterMs: error.extensions?.retryAfterMs } : {}),
        });
        if (res.data?.sendMessage) return c.acked.push(res.data.sendMessage);
        await new Promise((resolve) => setTimeout(resolve, Number(error?.extensions?.retryAfterMs ?? 100)));
      }
    };

    const stored = (roomId: string) => storedMessages(backend, roomId);

    /** b's view: what arrived live up to the first gap, then messagesAfter from there (what the web app does). */
    const recovered = (c: Conversation) => recoveredView(c.ofB, c.b, c.roomId);

    /** Opens conversations until `wanted` of them have their channel on `shard` (at most `max` in all). */
    const conversations: Conversation[] = [];
    const openConversations = async (shard: RedisServer, wanted: number, max: number) => {
      for (let i = 0; conversations.filter((c) => c.onKilledShard).length < wanted && i < max; i++) {
        const pair = await createRoomPair(one, conversations.length);
        players.push(pair.a, pair.b);
        const a = new Chatter(pair.a.user, one.graphqlUrl);
        const b = new Chatter(pair.b.user, two.graphqlUrl);
        const client = wsClient(two.wsUrl, b.user.accessToken, { retryAttempts: 30, retryWaitMs: 200 });
        clients.push(client);
        const ofB = subscribeRoom(client, pair.roomId);
        await ofB.untilLive(() => a.typing(pair.roomId));
        const onKilledShard = (await roomMaster(pair.roomId)).port === shard.port;
        conversations.push({ roomId: pair.roomId, a, b, ofB, acked: [], onKilledShard });
      }
    };

    beforeAll(async () => {
      scope = new TopologyScope();
      cluster = scope.add(await startRedisCluster({ dir: scope.path('cluster'), persistent: true }), (c) => c.stop());
      backend = scope.add(await createTestBackend(), (bk) => bk.cleanup());
      prefix = backend.env.REDIS_PREFIX!;
      // The cluster instead of the Redis the backend was made for.
      const { REDIS_URL, REDIS_CLUSTER_NODES, ...env } = backend.env;
      const clusterEnv = {
        ...env,
        REDIS_CLUSTER_NODES: cluster.seeds,
        LOG_LEVEL: 'warn',
        CHAT_MESSAGES_PER_MINUTE: '100000',
        CHAT_TYPING_PER_MINUTE: '100000',
      };
      [one, two] = await scope.addAll([spawnInstance(clusterEnv), spawnInstance(clusterEnv)], (i) => i.stop());
    }, 120_000);

    afterAll(async () => {
      await Promise.all(clients.map(async (c) => c.dispose()));
      await Promise.all(players.map((p) => p.disconnect()));
      await scope?.dispose();
    }, 60_000);

    it('a master killed mid-conversation and mid-queue: its replica takes over, no acknowledged message is lost, failures are fast and retryable, searchers are re-queued', async () => {
      const killed = await queueMaster();
      await openConversations(killed, 2, 12);
      const onShard = conversations.filter((c) => c.onKilledShard);
      expect(onShard.length).toBeGreaterThan(0);

      // A busy queue: eight users far apart (nobody in range of anybody), alternately on each instance.
      const searchers: { player: MatchPlayer; at: ReturnType<typeof area> }[] = [];
      for (let i = 0; i < 8; i++) {
        const player = await MatchPlayer.create(i % 2 === 0 ? one : two);
        players.push(player);
        searchers.push({ player, at: area(20 + i) });
      }
      for (const { player, at } of searchers)
        expect(ok(await player.request(at, RADIUS_KM)).requestMatch.state).toBe('SEARCHING');

      // Every conversation sends every 100 ms (each message until acknowledged) from before the kill
      // until every client is whole again.
      const attempts: Attempt[] = [];
      let sending = true;
      const senders = conversations.map(async (c) => {
        for (let i = 1; sending; i++) {
          await sendUntilAcked(c, `message ${i}`, attempts);
          await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS));
        }
      });
      await waitFor(() => conversations.every((c) => c.acked.length >= 3), {
        timeoutMs: 10_000,
        message: 'every conversation under way',
      });

      const killedAt = Date.now();
      const ackedBefore = new Map(conversations.map((c) => [c.roomId, c.acked.length]));
      await killed.kill();

      // Whole again, measured per client from the kill: a conversation once a message acknowledged
      // after the kill arrives live; a searcher once it heard INTERRUPTED, requested again (what the
      // web app does) and is SEARCHING.
      const wholeAt: Record<string, number> = {};
      const conversationsWhole = conversations.map(async (c, i) => {
        const firstAfter = () => c.acked[ackedBefore.get(c.roomId)!];
        await waitFor(
          () => {
            const m = firstAfter();
            return Boolean(m && c.ofB.messages().some((live) => live.seq >= m.seq));
          },
          { timeoutMs: 30_000, intervalMs: 20, message: `conversation ${i} delivering live again` },
        );
        wholeAt[`conversation ${i}${c.onKilledShard ? ' (killed shard)' : ''}`] = Date.now() - killedAt;
      });
      const searchersWhole = searchers.map(async ({ player, at }, i) => {
        await player.next('INTERRUPTED', undefined, 30_000);
        await waitFor(async () => !(await player.request(at, RADIUS_KM)).errors, {
          timeoutMs: 10_000,
          intervalMs: 200,
          message: `searcher ${i} requesting again`,
        });
        expect((await player.status()).state).toBe('SEARCHING');
        wholeAt[`searcher ${i}`] = Date.now() - killedAt;
      });
      await Promise.all([...conversationsWhole, ...searchersWhole]);
      const recoveryMs = Math.max(...Object.values(wholeAt));
      await cluster.waitForHealthy();
      const promoted = await queueMaster();
      expect(promoted.port).not.toBe(killed.port);
      sending = false;
      await Promise.all(senders);

      // Nothing acknowledged is lost: stored once each, in order, and b has all of it (live + catch-up).
      let lostMessages = 0;
      for (const c of conversations) {
        const ids = new Set((await stored(c.roomId)).map(([id]) => id));
        lostMessages += c.acked.filter((m) => !ids.has(m.id)).length;
      }
      for (const c of conversations) {
        expect(c.acked.map((m) => m.seq)).toEqual(c.acked.map((_, i) => i + 1));
        expect(await stored(c.roomId)).toEqual(c.acked.map((m) => [m.id, m.seq]));
        expect(await recovered(c)).toEqual(c.acked);
      }
      // Sends failed fast with a retryable code, or succeeded.
      const failed = attempts.filter((a) => !a.ok);
      for (const a of failed) {
        expect(a.code).toBe('UNAVAILABLE');
        expect(typeof a.retryAfterMs).toBe('number');
        expect(a.ms).toBeLessThan(FAIL_FAST_MS);
      }
      // Each searcher was told once, and the queue pairs again: two of them move next to each other.
      for (const { player } of searchers) expect(player.received('INTERRUPTED')).toHaveLength(1);
      const [x, y] = [searchers[0]!.player, searchers[1]!.player];
      ok(await x.request(area(40), RADIUS_KM));
      ok(await y.request(north(area(40), 1), RADIUS_KM));
      const offer = await x.next('OFFERED');
      expect((await y.next('OFFERED')).matchId).toBe(offer.matchId);

      const report = {
        killed: `master 127.0.0.1:${killed.port} (the matching queue's shard and ${onShard.length} of ${conversations.length} conversations' channels)`,
        promoted: `127.0.0.1:${promoted.port}`,
        recoveryMs,
        wholeAtMs: wholeAt,
        sendAttempts: attempts.length,
        failedAttempts: failed.length,
        slowestFailureMs: Math.max(0, ...failed.map((a) => a.ms)),
        slowestAttemptMs: Math.max(...attempts.map((a) => a.ms)),
        ackedMessages: conversations.reduce((n, c) => n + c.acked.length, 0),
        lostMessages,
      };
      console.info(
        `Redis Cluster failover: every client whole again ${recoveryMs} ms after the SIGKILL\n${JSON.stringify(report, null, 2)}`,
      );
      const artifacts = path.resolve(__dirname, '../../../test-artifacts');
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(path.join(artifacts, 'redis-cluster-failover.json'), `${JSON.stringify(report, null, 2)}\n`);
    }, 120_000);

    it('the killed master comes back as a replica; a master without the queue fails over without interrupting searchers', async () => {
      // The killed node is the only one down; started again, it rejoins as a replica of the master that replaced it.
      const down: RedisServer[] = [];
      for (const node of cluster.nodes) if (!(await node.command('PING').catch(() => ''))) down.push(node);
      expect(down).toHaveLength(1);
      await down[0]!.start();
      await cluster.waitForHealthy();
      expect((await cluster.topology()).find((n) => n.port === down[0]!.port)?.role).toBe('replica');

      const searcher = players.find((p) => p.received('INTERRUPTED').length > 0)!;
      const interruptedBefore = searcher.received('INTERRUPTED').length;
      const queue = await queueMaster();
      const masters = (await cluster.topology()).filter((n) => n.role === 'master' && !n.failed);
      const other = cluster.nodes.find((n) => n.port !== queue.port && masters.some((m) => m.port === n.port))!;
      const c = conversations[0]!;
      const before = c.acked.length;
      await other.kill();
      const attempts: Attempt[] = [];
      for (let i = 0; i < 20; i++) await sendUntilAcked(c, `second failover ${i}`, attempts);
      await cluster.waitForHealthy();
      await waitFor(() => c.ofB.messages().some((m) => m.seq > c.acked.at(-1)!.seq - 1), {
        timeoutMs: 10_000,
        message: 'the last message delivered live',
      });
      await waitFor(async () => (await ready(one)) && (await ready(two)), { timeoutMs: 10_000, message: 'both ready' });
      expect(c.acked.length).toBe(before + 20);
      expect(await stored(c.roomId)).toEqual(c.acked.map((m) => [m.id, m.seq]));
      for (const a of attempts.filter((x) => !x.ok)) expect(a.ms).toBeLessThan(FAIL_FAST_MS);
      // Give the sweeps (each checks the queue's shard) time to run: nobody is told INTERRUPTED again.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(searcher.received('INTERRUPTED')).toHaveLength(interruptedBefore);
    }, 90_000);
  },
);
