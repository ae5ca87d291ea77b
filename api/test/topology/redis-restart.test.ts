import type { Client } from 'graphql-ws';
import { sendAcked } from '../utils/acked-send';
import { createTestBackend, type TestBackend } from '../utils/backend';
import { Chatter, type ChatMessage } from '../utils/chatter';
import { storedMessages } from '../utils/db-query';
import { describeTopology } from '../utils/describe-topology';
import { codes, gql } from '../utils/graphql';
import type { MatchPlayer } from '../utils/match-player';
import { ok } from '../utils/ok';
import { recoveredView, subscribeRoom, type RoomEventStream } from '../utils/room-events';
import { createRoomPair } from '../utils/room-pair';
import { spawnInstance, type SpawnedInstance } from '../utils/spawn-instance';
import { freePort, startRedis, type RedisServer } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { signUpUser, type TestUser } from '../utils/users';
import { waitFor } from '../utils/wait-for';
import { wsClient } from '../utils/ws-client';

const TYPING = 'mutation($roomId: ID!) { setTyping(roomId: $roomId) }';
const LOG_OUT = 'mutation($t: String) { logOut(refreshToken: $t) }';
const REFRESH = 'mutation($t: String) { refreshToken(refreshToken: $t) { accessToken } }';
const CHANGE = `mutation($c: String!, $n: String!) {
  changePassword(input: { currentPassword: $c, newPassword: $n }) { accessToken }
}`;

describeTopology(
  'API instances on a Redis that restarts (its own redis-server, append-only file on)',
  ['redis'],
  () => {
    let scope: TopologyScope;
    let redis: RedisServer;
    let backend: TestBackend;
    let one: SpawnedInstance;
    let two: SpawnedInstance;
    const players: MatchPlayer[] = [];
    const clients: Client[] = [];
    /** The room every test here chats in: a through instance one, b through instance two. */
    let roomId: string;
    let a: Chatter;
    let b: Chatter;
    let credentials: { a: TestUser; b: TestUser };
    /** Every message the server acknowledged, in send order. */
    const acked: ChatMessage[] = [];

    const listen = (who: Chatter, url: string): RoomEventStream => {
      const client = wsClient(url, who.user.accessToken, { retryAttempts: 30, retryWaitMs: 200 });
      clients.push(client);
      return subscribeRoom(client, roomId);
    };
    /** Resolves once `stream` receives something new: it is (again) subscribed on its instance. */
    const untilDelivering = async (stream: RoomEventStream, poker: Chatter) => {
      const heard = stream.events.length;
      await waitFor(async () => stream.events.length > heard || (await poker.call(TYPING, { roomId }), false), {
        timeoutMs: 10_000,
        intervalMs: 200,
        message: 'the roomEvents subscription to deliver',
      });
    };
    const ready = async (instance: SpawnedInstance) => (await fetch(`${instance.url}/readyz`)).status === 200;
    const stored = () => storedMessages(backend, roomId);
    /** b's view: what arrived live up to the first gap, then messagesAfter from there. */
    const recovered = (stream: RoomEventStream, reader: Chatter) => recoveredView(stream, reader, roomId);

    beforeAll(async () => {
      scope = new TopologyScope();
      redis = scope.add(await startRedis({ dir: scope.path('redis'), port: await freePort(), persistent: true }), (r) =>
        r.stop(),
      );
      backend = scope.add(await createTestBackend(), (bk) => bk.cleanup());
      const env = {
        ...backend.env,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
        CHAT_MESSAGES_PER_MINUTE: '100000',
        CHAT_TYPING_PER_MINUTE: '100000',
      };
      [one, two] = await scope.addAll([spawnInstance(env), spawnInstance(env)], (i) => i.stop());
      const pair = await createRoomPair(one, 10);
      players.push(pair.a, pair.b);
      roomId = pair.roomId;
      a = new Chatter(pair.a.user, one.graphqlUrl);
      b = new Chatter(pair.b.user, two.graphqlUrl);
      credentials = { a: pair.a.user, b: pair.b.user };
    }, 90_000);

    afterAll(async () => {
      await Promise.all(clients.map(async (c) => c.dispose()));
      await Promise.all(players.map((p) => p.disconnect()));
      await scope?.dispose();
    }, 60_000);

    it('reconnects by itself after a restart: subscriptions deliver again and every acknowledged message is stored', async () => {
      const ofB = listen(b, two.wsUrl);
      const ofA = listen(a, one.wsUrl);
      await untilDelivering(ofB, a);
      await untilDelivering(ofA, b);
      for (let i = 1; i <= 5; i++) acked.push((await sendAcked(a, roomId, `before ${i}`)).message);

      // Redis goes away for 1.5 s while a keeps sending (retrying each message until acknowledged),
      // and on until it is back; readiness is polled beside the sends, which a down Redis slows.
      let restarted = false;
      const restart = redis.restart({ downMs: 1500 }).finally(() => (restarted = true));
      let sawNotReady = false;
      const watching = (async () => {
        while (!restarted) {
          if (!(await ready(one))) sawNotReady = true;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      let failedAttempts = 0;
      for (let i = 1; i <= 20 || !restarted; i++) {
        const { message, attempts } = await sendAcked(a, roomId, `during ${i}`);
        acked.push(message);
        failedAttempts += attempts - 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await Promise.all([restart, watching]);
      expect(sawNotReady).toBe(true); // the outage was real: the instance reported Redis down
      // Sends do not need Redis: stored in the database, their rate limit counted in memory meanwhile.
      expect(failedAttempts).toBe(0);

      await waitFor(async () => (await ready(one)) && (await ready(two)), {
        timeoutMs: 10_000,
        message: 'both instances ready again',
      });
      await untilDelivering(ofB, a);
      await untilDelivering(ofA, b);
      for (let i = 1; i <= 3; i++) acked.push((await sendAcked(b, roomId, `after ${i}`)).message);
      await ofA.next((e) => e.message?.seq === acked.at(-1)!.seq, 10_000);
      await ofB.next((e) => e.message?.seq === acked.at(-1)!.seq, 10_000);

      expect(acked.map((m) => m.seq)).toEqual(acked.map((_, i) => i + 1));
      expect(await stored()).toEqual(acked.map((m) => [m.id, m.seq]));
      expect(await recovered(ofB, b)).toEqual(acked);
      expect(ofB.errors).toEqual([]);

      // Matching, which lives in Redis, works again too.
      const fresh = await createRoomPair(two, 11);
      players.push(fresh.a, fresh.b);
    }, 60_000);

    it('after a restart that lost everything, nobody is logged out and every acknowledged message is recovered', async () => {
      // Sessions live in the database: Redis only fans out their revocations.
      const leaver = await signUpUser(one.graphqlUrl);
      ok(await gql(one.graphqlUrl, LOG_OUT, { t: leaver.refreshToken }));
      // A password change ends every other session of its user and opens a new one.
      const changer = await signUpUser(one.graphqlUrl);
      const changed = ok(
        await gql<{ changePassword: { accessToken: string } }>(
          one.graphqlUrl,
          CHANGE,
          { c: changer.password, n: 'another long secret' },
          { token: changer.accessToken },
        ),
      ).changePassword;
      await redis.restart({ wipe: true });
      await waitFor(async () => (await ready(one)) && (await ready(two)), {
        timeoutMs: 10_000,
        message: 'both instances ready again',
      });

      // The access tokens issued before the wipe still work, on both instances, over HTTP and WebSocket.
      expect(ok(await a.call<{ me: { id: string } }>('{ me { id } }')).me.id).toBe(a.id);
      expect(ok(await new Chatter(a.user, two.graphqlUrl).call<{ me: { id: string } }>('{ me { id } }')).me.id).toBe(
        a.id,
      );
      expect(ok(await b.messagesAfter(roomId, 0)).messagesAfter).toEqual(acked);
      const ofB = listen(b, two.wsUrl);
      await untilDelivering(ofB, a);
      const last = (await sendAcked(a, roomId, 'after the wipe')).message;
      expect(last.seq).toBe(acked.length + 1);
      await ofB.next((e) => e.message?.seq === last.seq);

      // The refresh token still rotates; the session logged out before the wipe stays ended.
      const refreshed = ok(
        await gql<{ refreshToken: { accessToken: string } }>(two.graphqlUrl, REFRESH, {
          t: credentials.a.refreshToken,
        }),
      );
      expect(
        ok(
          await gql<{ me: { id: string } }>(one.graphqlUrl, '{ me { id } }', undefined, {
            token: refreshed.refreshToken.accessToken,
          }),
        ).me.id,
      ).toBe(a.id);
      for (const ended of [leaver, changer]) {
        expect(codes(await gql(two.graphqlUrl, '{ me { id } }', undefined, { token: ended.accessToken }))).toEqual([
          'UNAUTHENTICATED',
        ]);
        expect(codes(await gql(two.graphqlUrl, REFRESH, { t: ended.refreshToken }))).toEqual(['UNAUTHENTICATED']);
      }
      // The session the password change opened survives the wipe.
      expect(
        ok(
          await gql<{ me: { id: string } }>(two.graphqlUrl, '{ me { id } }', undefined, { token: changed.accessToken }),
        ).me.id,
      ).toBe(changer.id);
    }, 60_000);
  },
);
