import { entities } from '../../src/registry';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { createOrm, type Orm } from '../../src/infra/db/orm';
import { createReplicaRouter, type ReplicaRouter } from '../../src/infra/db/replica-router';
import { User } from '../../src/modules/users/user.entity';
import { Chatter, ROOM_FIELDS, type ChatRoom } from '../utils/chatter';
import { describeTopology } from '../utils/describe-topology';
import type { MatchPlayer } from '../utils/match-player';
import { readCounter } from '../utils/metrics';
import { ok } from '../utils/ok';
import { createTestRedis, redisTestUrl, type TestRedis } from '../utils/redis';
import { createRoomPair } from '../utils/room-pair';
import { spawnInstance, type SpawnedInstance } from '../utils/spawn-instance';
import { TEST_ENV } from '../utils/test-server';
import { freePort, startReplicaPair, type ReplicaPair } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { uploadImage } from '../utils/upload';
import { signUpUser } from '../utils/users';
import { waitFor } from '../utils/wait-for';

const IMAGE_MESSAGE = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { seq image { url } } }';
const HISTORY_IMAGES =
  'query($roomId: ID!) { messages(roomId: $roomId, last: 10) { edges { node { seq body image { url } } } } }';

describeTopology('a MariaDB primary with a GTID replica (DATABASE_REPLICA_URLS)', ['mariadb'], () => {
  let scope: TopologyScope;
  let pair: ReplicaPair;
  let database: string;
  let redis: TestRedis;
  let env: Record<string, string>;
  /** Lag check off: a replica that stopped applying the binlog stays in rotation, so only routing keeps reads fresh. */
  let trusting: SpawnedInstance;
  /** The default lag check, every 200 ms. */
  let watchful: SpawnedInstance;
  const players: MatchPlayer[] = [];
  let area = 20;

  const replicaUp = (instance: SpawnedInstance) => readCounter(instance.url, 'db_replica_up');
  const onReplica = async (sql: string, params: unknown[]) =>
    pair.replica.query(sql.replaceAll('$db', database), params);
  /** A room made through matching on `instance`, with its members' chat operations on it. */
  async function room(instance: SpawnedInstance) {
    const made = await createRoomPair(instance, area++);
    players.push(made.a, made.b);
    return {
      roomId: made.roomId,
      a: new Chatter(made.a.user, instance.graphqlUrl),
      b: new Chatter(made.b.user, instance.graphqlUrl),
    };
  }

  beforeAll(async () => {
    scope = new TopologyScope();
    pair = scope.add(
      await startReplicaPair({
        dir: scope.path('mariadb'),
        ports: { primary: await freePort(), replica: await freePort() },
      }),
      (p) => p.stop(),
    );
    database = `rct_${randomBytes(6).toString('hex')}`;
    await pair.primary.query(`CREATE DATABASE \`${database}\``);
    redis = scope.add(createTestRedis(), (r) => r.cleanup());
    const urls = pair.urls(database);
    env = {
      DATA_DIR: scope.path('api-data'),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      DATABASE_URL: urls.primary,
      DATABASE_REPLICA_URLS: urls.replica,
      REDIS_URL: redisTestUrl(),
      REDIS_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
    };
    [trusting, watchful] = await scope.addAll(
      [
        spawnInstance({ ...env, DATABASE_REPLICA_MAX_LAG: '0', DATABASE_REPLICA_TIMEOUT: '1s' }),
        spawnInstance({ ...env, DATABASE_REPLICA_CHECK_INTERVAL: '200ms' }),
      ],
      (i) => i.stop(),
    );
    await pair.waitForSync();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(players.map((p) => p.disconnect()));
    await scope?.dispose();
  }, 90_000);

  describe('with replication running', () => {
    it('puts the replica in rotation on every instance', async () => {
      expect(await replicaUp(trusting)).toBe(1);
      expect(await replicaUp(watchful)).toBe(1);
    });
  });

  describe("with the replica's SQL thread stopped (the replica falls behind)", () => {
    let orm: Orm;
    let router: ReplicaRouter;

    beforeAll(async () => {
      orm = await createOrm(loadConfig({ ...TEST_ENV, ...env }), entities);
      router = createReplicaRouter(orm, { intervalMs: 200, timeoutMs: 1000, maxLagMs: 0 });
      await router.start();
      await pair.replica.query('STOP REPLICA SQL_THREAD');
    });

    afterAll(async () => {
      router?.stop();
      await orm?.close();
      await pair.replica.query('START REPLICA SQL_THREAD');
      await pair.waitForSync();
    });

    it('sends reads that ask for a replica to the replica and every other read to the primary', async () => {
      const { email } = await signUpUser(trusting.graphqlUrl);
      expect(await orm.em.fork().findOne(User, { email }, { connectionType: 'read' })).toBeNull();
      expect(await orm.em.fork().findOne(User, { email })).not.toBeNull();
    });

    it('shows a user their own new room, messages, read state, profile and images at once', async () => {
      const { roomId, a, b } = await room(trusting);
      const replicaHas = async (table: string) =>
        Number(
          (
            await onReplica(
              `SELECT COUNT(*) AS n FROM \`$db\`.${table} WHERE ${table === 'rooms' ? 'id' : 'room_id'} = ?`,
              [roomId],
            )
          )[0]?.n,
        );
      expect(await replicaHas('rooms')).toBe(0);

      const firstPage = ok(await a.rooms(20)).rooms.edges.map((e) => e.node.id);
      expect(firstPage).toContain(roomId);
      const sent = [];
      for (let i = 1; i <= 3; i++) sent.push(ok(await a.send(roomId, `fresh ${i}`)).sendMessage);
      expect(await replicaHas('messages')).toBe(0);

      expect(ok(await a.messages(roomId, 10)).messages.edges.map((e) => e.node)).toEqual(sent);
      expect(ok(await a.messages(roomId, 2)).messages.edges.map((e) => e.node.seq)).toEqual([2, 3]);
      expect(
        ok(
          await a.messages(roomId, 10, ok(await a.messages(roomId, 1)).messages.pageInfo.startCursor),
        ).messages.edges.map((e) => e.node.seq),
      ).toEqual([1, 2]);
      expect(ok(await a.messagesAfter(roomId, 0)).messagesAfter).toEqual(sent);
      const roomOf = (rooms: { edges: { node: ChatRoom }[] }) => rooms.edges.find((e) => e.node.id === roomId)!.node;
      expect(roomOf(ok(await a.rooms(20)).rooms).lastMessage).toEqual(sent[2]);
      expect(roomOf(ok(await b.rooms(20)).rooms).unreadCount).toBe(3);
      ok(await b.markRead(roomId, 3));
      expect(roomOf(ok(await b.rooms(20)).rooms).unreadCount).toBe(0);
      expect(ok(await a.room(roomId)).room.peerLastReadSeq).toBe(3);

      ok(await a.call('mutation { updateProfile(input: { nickname: "Fresh" }) { nickname } }'));
      expect(ok(await a.call<{ me: { nickname: string } }>('{ me { nickname } }')).me.nickname).toBe('Fresh');

      const imageId = await uploadImage(trusting.url, a.user.accessToken);
      const withImage = ok(
        await a.call<{ sendMessage: { seq: number; image: { url: string } | null } }>(IMAGE_MESSAGE, {
          input: { roomId, imageId, clientMessageId: `img-${imageId}` },
        }),
      ).sendMessage;
      expect(withImage.image?.url).toBeTruthy();
      const history = ok(
        await b.call<{ messages: { edges: { node: { seq: number; image: { url: string } | null } }[] } }>(
          HISTORY_IMAGES,
          { roomId },
        ),
      );
      expect(history.messages.edges.at(-1)!.node).toEqual(
        expect.objectContaining({ seq: 4, image: { url: expect.any(String) } }),
      );
      expect(await replicaHas('messages')).toBe(0);
    });

    it('takes the replica out of rotation once the lag check sees it stopped replicating', async () => {
      await waitFor(async () => (await replicaUp(watchful)) === 0, {
        timeoutMs: 5000,
        message: 'db_replica_up 0 on the watchful instance',
      });
      // Without the lag check, replication is not looked at: the replica stays in rotation.
      expect(await replicaUp(trusting)).toBe(1);
    });
  });

  describe('after replication resumed', () => {
    it('puts the replica back into rotation once it caught up', async () => {
      await waitFor(async () => (await replicaUp(watchful)) === 1, {
        timeoutMs: 5000,
        message: 'db_replica_up 1 again',
      });
    });
  });

  describe('with the replica frozen (SIGSTOP) or stopped', () => {
    /** Every read the API serves, with how long the slowest took. */
    async function readEverything(instance: SpawnedInstance, chat: { roomId: string; a: Chatter }) {
      const a = new Chatter(chat.a.user, instance.graphqlUrl);
      const started = Date.now();
      const results = await Promise.all([
        a.rooms(20),
        a.room(chat.roomId),
        a.messages(chat.roomId, 10),
        a.messagesAfter(chat.roomId, 0),
        a.call('{ me { id nickname photo { url } } }'),
        a.call(`query($id: ID!) { room(id: $id) { ${ROOM_FIELDS} } }`, { id: chat.roomId }),
      ]);
      for (const res of results) ok(res);
      return { results, ms: Date.now() - started };
    }
    let chat: Awaited<ReturnType<typeof room>>;

    beforeAll(async () => {
      chat = await room(watchful);
      for (let i = 1; i <= 3; i++) ok(await chat.a.send(chat.roomId, `before the outage ${i}`));
      await pair.waitForSync();
    });

    it('answers reads from the primary within about a second when the replica stops answering', async () => {
      process.kill(pair.replica.pid, 'SIGSTOP');
      try {
        // The first reads wait DATABASE_REPLICA_TIMEOUT (1 s), then a check (1 s) before moving.
        const first = await readEverything(trusting, chat);
        expect(first.ms).toBeLessThan(4000);
        await waitFor(async () => (await replicaUp(trusting)) === 0, {
          timeoutMs: 5000,
          message: 'the frozen replica out of rotation',
        });
        expect((await readEverything(trusting, chat)).ms).toBeLessThan(1000);
      } finally {
        process.kill(pair.replica.pid, 'SIGCONT');
      }
      await waitFor(async () => (await replicaUp(trusting)) === 1, {
        timeoutMs: 10_000,
        message: 'the replica back in rotation after SIGCONT',
      });
    });

    it('keeps every read working when the replica is stopped entirely, and starts new instances without it', async () => {
      await pair.replica.stop({ signal: 'SIGKILL' });
      for (const instance of [trusting, watchful]) {
        for (let round = 0; round < 5; round++) {
          const { results, ms } = await readEverything(instance, chat);
          expect(ms).toBeLessThan(1000);
          expect((results[3]!.data as { messagesAfter: unknown[] }).messagesAfter).toHaveLength(3);
        }
      }
      expect(await replicaUp(trusting)).toBe(0);
      expect(await replicaUp(watchful)).toBe(0);
      const late = scope.add(await spawnInstance(env), (i) => i.stop());
      await readEverything(late, chat);
    });
  });
});
