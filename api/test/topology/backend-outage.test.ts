import { createRoomPair } from '../utils/room-pair';
import { Chatter, newClientMessageId } from '../utils/chatter';
import { describeTopology } from '../utils/describe-topology';
import type { GraphqlResponse } from '../utils/graphql';
import { area, MatchPlayer } from '../utils/match-player';
import { ok } from '../utils/ok';
import { spawnInstance, type SpawnedInstance } from '../utils/spawn-instance';
import { freePort, startMariaDb, startRedis, type MariaDbServer, type RedisServer } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { waitFor } from '../utils/wait-for';

/** The bound for a request that cannot complete, with room for a loaded test machine. */
const ANSWER_WITHIN_MS = 3000;
const MARGIN_MS = 500;

interface Outcome {
  key: string;
  ms: number;
  res: GraphqlResponse;
}

/** Runs `call` and records how long it took to answer. */
async function timed(key: string, call: () => Promise<GraphqlResponse>): Promise<Outcome> {
  const started = Date.now();
  const res = await call();
  return { key, ms: Date.now() - started, res };
}

/** Each answer: on time, and either data or one coded, retryable UNAVAILABLE. */
function expectFastAndCoded(outcomes: Outcome[]) {
  for (const { key, ms, res } of outcomes) {
    expect({ key, late: ms > ANSWER_WITHIN_MS + MARGIN_MS, ms }).toMatchObject({ key, late: false });
    if (res.errors) {
      expect({ key, errors: res.errors }).toMatchObject({
        key,
        errors: [{ extensions: { code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) } }],
      });
    }
  }
}

describeTopology(
  'requests while the database or Redis is away (private mariadbd and redis-server)',
  ['mariadb', 'redis'],
  () => {
    let scope: TopologyScope;
    let db: MariaDbServer;
    let redis: RedisServer;
    let api: SpawnedInstance;
    let a: Chatter;
    let roomId: string;
    const players: MatchPlayer[] = [];

    const storedKeys = async (): Promise<string[]> =>
      (
        await db.query<{ client_message_id: string }[]>(
          'SELECT client_message_id FROM randchat.messages WHERE room_id = ? ORDER BY seq',
          [roomId],
        )
      ).map((r) => r.client_message_id);

    beforeAll(async () => {
      scope = new TopologyScope();
      db = scope.add(await startMariaDb({ dir: scope.path('mariadb'), port: await freePort(), serverId: 1 }), (d) =>
        d.stop({ signal: 'SIGKILL' }),
      );
      await db.query('CREATE DATABASE randchat');
      redis = scope.add(await startRedis({ dir: scope.path('redis'), port: await freePort() }), (r) => r.stop());
      api = scope.add(
        await spawnInstance({
          DATABASE_URL: `mariadb://root@127.0.0.1:${db.port}/randchat`,
          REDIS_URL: redis.url,
          LOG_LEVEL: 'warn',
          CHAT_MESSAGES_PER_MINUTE: '100000',
          // A small pool: during the stall, requests also wait for a connection and give up on
          // the pool's own deadline (a driver error on a compiled query, not only the operation deadline).
          DATABASE_POOL_MAX: '2',
        }),
        (i) => i.stop(),
      );
      const pair = await createRoomPair(api, 1);
      players.push(pair.a, pair.b);
      roomId = pair.roomId;
      a = new Chatter(pair.a.user, api.graphqlUrl);
      for (let i = 0; i < 2; i++) players.push(await MatchPlayer.create(api));
    }, 120_000);

    afterAll(async () => {
      await Promise.all(players.map((p) => p.disconnect()));
      if (db?.pid) process.kill(db.pid, 'SIGCONT');
      await scope?.dispose();
    }, 60_000);

    it('a frozen database: every send and match request answers within 3 s, coded; nothing answered as failed is stored', async () => {
      ok(await a.send(roomId, 'before the stall'));
      const searcher = players[2]!;
      process.kill(db.pid, 'SIGSTOP');
      let outcomes: Outcome[];
      try {
        const sends = Array.from({ length: 6 }, (_, i) => {
          const key = newClientMessageId();
          return new Promise<void>((resolve) => setTimeout(resolve, i * 400)).then(() =>
            timed(key, () => a.send(roomId, `during the stall ${i}`, key)),
          );
        });
        const matching = timed('requestMatch', () => searcher.request(area(30), 5));
        const catchUps = Array.from({ length: 3 }, (_, i) =>
          timed(`messagesAfter ${i}`, () => a.messagesAfter(roomId, 0)),
        );
        outcomes = await Promise.all([...sends, matching, ...catchUps]);
        // Hold the stall past every deadline, so that nothing was merely slow.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        process.kill(db.pid, 'SIGCONT');
      }
      expectFastAndCoded(outcomes);
      const sendOutcomes = outcomes.filter((o) => o.key !== 'requestMatch' && !o.key.startsWith('messagesAfter'));
      expect(sendOutcomes.some((o) => o.res.errors)).toBe(true); // the stall was real

      // After the database is back: what was acked is stored, what was refused without
      // `outcome: UNKNOWN` is not; retries with the same keys store each message exactly once.
      await waitFor(async () => !(await a.send(roomId, 'after the stall')).errors, {
        timeoutMs: 15_000,
        message: 'sends to succeed again',
      });
      const stored = await storedKeys();
      for (const { key, res } of sendOutcomes) {
        if (!res.errors) expect({ key, stored: stored.includes(key) }).toEqual({ key, stored: true });
        else if (res.errors[0]!.extensions!.outcome !== 'UNKNOWN')
          expect({ key, stored: stored.includes(key) }).toEqual({ key, stored: false });
      }
      for (const { key, res } of sendOutcomes) if (res.errors) ok(await a.send(roomId, 'retried', key));
      const after = await storedKeys();
      for (const { key } of sendOutcomes)
        expect({ key, copies: after.filter((k) => k === key).length }).toEqual({ key, copies: 1 });
    }, 60_000);

    it('Redis down: sends still succeed on the database, match requests answer UNAVAILABLE within 3 s', async () => {
      const searcher = players[3]!;
      await redis.stop();
      let outcomes: Outcome[];
      try {
        const sends = Array.from({ length: 4 }, (_, i) => {
          const key = newClientMessageId();
          return timed(key, () => a.send(roomId, `without Redis ${i}`, key));
        });
        outcomes = await Promise.all([...sends, timed('requestMatch', () => searcher.request(area(31), 5))]);
      } finally {
        await redis.restart();
      }
      expectFastAndCoded(outcomes);
      const [match] = outcomes.filter((o) => o.key === 'requestMatch');
      expect(match!.res.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
      const stored = await storedKeys();
      for (const { key, res } of outcomes.filter((o) => o.key !== 'requestMatch')) {
        expect({ key, errors: res.errors }).toEqual({ key, errors: undefined });
        expect(stored).toContain(key);
      }
      // Redis is back: matching works again.
      await waitFor(async () => !(await searcher.request(area(31), 5)).errors, {
        timeoutMs: 10_000,
        message: 'requestMatch to succeed again',
      });
    }, 60_000);
  },
);
