import type { Browser, BrowserContext } from 'playwright-core';
import { createTestBackend } from './utils/backend';
import { describeWithBrowser, launchChromium, logIn, stepShots, type StepShots } from './utils/browser';
import { Chatter } from './utils/chatter';
import { describeTopology } from './utils/describe-topology';
import { ok } from './utils/ok';
import { createRoomPair, type RoomPair } from './utils/room-pair';
import { spawnInstance, type SpawnedInstance } from './utils/spawn-instance';
import { freePort, startRedis, type RedisServer } from './utils/topology';
import { TopologyScope } from './utils/topology-scope';

/**
 * The web app while the API's Redis stalls (SIGSTOP: the connection stays up, commands time out):
 * a page opened meanwhile gets its `roomEvents` subscription refused with UNAVAILABLE (the SUBSCRIBE
 * timed out), as during a reconnect storm or a failover. The subscription must be opened again
 * after the server's retryAfterMs, so that once Redis answers the peer's messages arrive live again,
 * without a reload. Before, such a refusal ended the room's live stream for good.
 */
describeTopology('the web app while Redis stalls (its own redis-server, frozen with SIGSTOP)', ['redis'], () => {
  describeWithBrowser('in Chromium', () => {
    let scope: TopologyScope;
    let redis: RedisServer;
    let instance: SpawnedInstance;
    let browser: Browser;
    let context: BrowserContext;
    let shots: StepShots;
    let pair: RoomPair;
    let frozen = false;

    beforeAll(async () => {
      scope = new TopologyScope();
      redis = scope.add(await startRedis({ dir: scope.path('redis'), port: await freePort() }), (r) => r.stop());
      const backend = scope.add(await createTestBackend(), (b) => b.cleanup());
      instance = scope.add(
        await spawnInstance({ ...backend.env, REDIS_URL: redis.url, REDIS_TIMEOUT: '500ms', LOG_LEVEL: 'warn' }),
        (i) => i.stop(),
      );
      pair = await createRoomPair(instance, 0);
      await Promise.all([pair.a.disconnect(), pair.b.disconnect()]);
      browser = await launchChromium();
      shots = stepShots('web-app-redis-stall');
    }, 90_000);

    afterAll(async () => {
      if (frozen) process.kill(redis.pid, 'SIGCONT');
      await context?.close();
      await browser?.close();
      await scope?.dispose();
    }, 60_000);

    const peerSends = async (body: string) =>
      ok(await new Chatter(pair.b.user, instance.graphqlUrl).send(pair.roomId, body));

    it('subscribes again after UNAVAILABLE and shows the peer’s messages live once Redis answers', async () => {
      context = await browser.newContext({
        baseURL: instance.url,
        locale: 'en-US',
        viewport: { width: 390, height: 844 },
      });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      // What the server answered the page's roomEvents subscriptions.
      const refusals: string[] = [];
      page.on('websocket', (ws) =>
        ws.on('framereceived', ({ payload }) => {
          const text = String(payload);
          if (text.includes('"UNAVAILABLE"') && text.includes('roomEvents')) refusals.push(text);
        }),
      );
      const bubble = (text: string) => page.locator('.bubble .text', { hasText: text });

      await logIn(page, pair.a.user);
      await page.goto(`/rooms/${pair.roomId}`);
      await peerSends('before the stall');
      await bubble('before the stall').waitFor({ timeout: 10_000 });

      process.kill(redis.pid, 'SIGSTOP');
      frozen = true;
      await page.reload();
      await bubble('before the stall').waitFor({ timeout: 20_000 });
      // The room opened from the database; its live stream is refused while Redis is frozen.
      const deadline = Date.now() + 15_000;
      while (refusals.length === 0 && Date.now() < deadline) await page.waitForTimeout(200);
      expect(refusals.length).toBeGreaterThan(0);
      expect(JSON.parse(refusals[0]!).payload.errors[0].extensions.retryAfterMs).toBeGreaterThan(0);
      await shots.shot(page, 'the room opened while Redis is frozen');

      process.kill(redis.pid, 'SIGCONT');
      frozen = false;
      // Sent once the subscription is live again: it can only arrive through roomEvents.
      await page.waitForTimeout(4_000);
      await peerSends('after the stall');
      await bubble('after the stall').waitFor({ timeout: 15_000 });
      await shots.shot(page, 'the peer’s message arrived live after the stall');
      expect(new URL(page.url()).pathname).toBe(`/rooms/${pair.roomId}`);
      expect(pageErrors).toEqual([]);
    }, 120_000);
  });
});
