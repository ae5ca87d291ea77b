import { createTestBackend, type TestBackend } from '../utils/backend';
import { describeTopology } from '../utils/describe-topology';
import { area, MatchPlayer, north } from '../utils/match-player';
import { ok } from '../utils/ok';
import { createTestRedis, type TestRedis } from '../utils/redis';
import { startTestServer, type TestServer } from '../utils/test-server';
import { freePort, startRedis, type RedisServer } from '../utils/topology';
import { TopologyScope } from '../utils/topology-scope';
import { waitFor } from '../utils/wait-for';

describeTopology('the matching queue on a Redis of its own (MATCH_REDIS_URL)', ['redis'], () => {
  let scope: TopologyScope;
  let queueRedis: RedisServer;
  let backend: TestBackend;
  let main: TestRedis;
  let api: TestServer;
  const players: MatchPlayer[] = [];

  beforeAll(async () => {
    scope = new TopologyScope();
    queueRedis = scope.add(
      await startRedis({ dir: scope.path('queue-redis'), port: await freePort(), persistent: false }),
      (r) => r.stop(),
    );
    backend = scope.add(await createTestBackend(), (bk) => bk.cleanup());
    main = createTestRedis();
    api = scope.add(await startTestServer({ backend, env: { MATCH_REDIS_URL: queueRedis.url } }), (s) => s.close());
  }, 60_000);

  afterAll(async () => {
    await Promise.all(players.map((p) => p.close()));
    await main?.cleanup();
    await scope?.dispose();
  }, 30_000);

  it('keeps every queue key there and none on the main Redis, and pairs as usual', async () => {
    const [a, b] = [await MatchPlayer.create(api), await MatchPlayer.create(api)];
    players.push(a, b);
    ok(await a.request(area(3), 5));
    ok(await b.request(north(area(3), 1), 5));
    const offer = await a.next('OFFERED');
    expect((await b.next('OFFERED')).matchId).toBe(offer.matchId);

    const prefix = backend.env.REDIS_PREFIX!;
    expect(await main.keys(`${prefix}{match}`)).toEqual([]);
    // KEYS on the private server (nothing else lives there): the users' hashes and the offer.
    const queued = await queueRedis.command(`KEYS ${prefix}{match}:*`);
    expect(queued).toMatch(/^\*[1-9]/); // a non-empty array
    // Everything else (rate limits) stays on the main Redis.
    expect((await main.keys(`${prefix}rl:`)).length).toBeGreaterThan(0);
  });

  it('reports itself not ready while the queue Redis is down, and ready again once it is back', async () => {
    const ready = async () => (await fetch(`${api.url}/readyz`)).status;
    expect(await ready()).toBe(200);
    await queueRedis.stop();
    await waitFor(async () => (await ready()) === 503, { timeoutMs: 10_000, message: 'readyz 503' });
    await queueRedis.start();
    await waitFor(async () => (await ready()) === 200, { timeoutMs: 10_000, message: 'readyz 200 again' });
  }, 30_000);
});
