import { createTestBackend, type TestBackend } from '../utils/backend';
import { describeTopology } from '../utils/describe-topology';
import type { GraphqlResponse } from '../utils/graphql';
import { area, MatchPlayer, north, type Position } from '../utils/match-player';
import { ok } from '../utils/ok';
import { spawnInstance, type SpawnedInstance } from '../utils/spawn-instance';
import { freePort, startRedis, type RedisServer } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { waitFor } from '../utils/wait-for';

const RADIUS_KM = 5;

describeTopology('the matching queue on a Redis that restarts (its own redis-server, two instances)', ['redis'], () => {
  let scope: TopologyScope;
  let redis: RedisServer;
  let backend: TestBackend;
  let instances: SpawnedInstance[];
  /** Eight searching users, far apart (nobody in range of anybody), alternately on each instance. */
  const players: { player: MatchPlayer; at: Position; instance: SpawnedInstance }[] = [];

  const ready = async (instance: SpawnedInstance) => (await fetch(`${instance.url}/readyz`)).status === 200;
  const bothReady = () =>
    waitFor(async () => (await ready(instances[0]!)) && (await ready(instances[1]!)), {
      timeoutMs: 10_000,
      message: 'both instances ready again',
    });

  /** What the client does on INTERRUPTED: request again with its last input (its session survived). */
  const requestAgain = ({ player, at }: (typeof players)[number]): Promise<GraphqlResponse> =>
    player.request(at, RADIUS_KM);

  beforeAll(async () => {
    scope = new TopologyScope();
    redis = scope.add(await startRedis({ dir: scope.path('redis'), port: await freePort(), persistent: true }), (r) =>
      r.stop(),
    );
    backend = scope.add(await createTestBackend(), (bk) => bk.cleanup());
    const env = { ...backend.env, REDIS_URL: redis.url, LOG_LEVEL: 'warn' };
    instances = await scope.addAll([spawnInstance(env), spawnInstance(env)], (i) => i.stop());
    for (let i = 0; i < 8; i++) {
      const instance = instances[i % 2]!;
      players.push({ player: await MatchPlayer.create(instance), at: area(i), instance });
    }
    for (const p of players) expect(ok(await p.player.request(p.at, RADIUS_KM)).requestMatch.state).toBe('SEARCHING');
  }, 90_000);

  afterAll(async () => {
    await Promise.all(players.map(({ player }) => player.disconnect()));
    await scope?.dispose();
  }, 60_000);

  it('keeps every search through a restart that kept the data (append-only file)', async () => {
    await redis.restart();
    await bothReady();
    for (const { player } of players) expect((await player.status()).state).toBe('SEARCHING');
  }, 30_000);

  it('after a restart that lost the queue, tells every subscriber INTERRUPTED; each searches again within 5 s and is offered once', async () => {
    await redis.restart({ wipe: true });
    const answering = Date.now();
    await Promise.all(players.map(({ player }) => player.next('INTERRUPTED', undefined, 5_000)));
    const again = await Promise.all(players.map(requestAgain));
    for (const res of again) expect(ok(res).requestMatch.state).toBe('SEARCHING');
    for (const { player } of players) expect((await player.status()).state).toBe('SEARCHING');
    expect(Date.now() - answering).toBeLessThan(5_000);
    // One event per loss (the restart that kept the data sent none), on both instances.
    for (const { player } of players) expect(player.received('INTERRUPTED')).toHaveLength(1);

    // The queue works normally: two of them, one per instance, move next to each other.
    const [a, b] = [players[0]!, players[1]!];
    const meet = area(40);
    ok(await a.player.request(meet, RADIUS_KM));
    ok(await b.player.request(north(meet, 1), RADIUS_KM));
    const offer = await a.player.next('OFFERED');
    expect((await b.player.next('OFFERED')).matchId).toBe(offer.matchId);
    for (const { player } of [a, b]) {
      const status = await player.status();
      expect(status.state).toBe('OFFERED');
      expect(status.offer?.matchId).toBe(offer.matchId);
      expect(player.received('OFFERED')).toHaveLength(1);
    }
    for (const { player } of players.slice(2)) expect(player.received('OFFERED')).toEqual([]);
  }, 30_000);
});
