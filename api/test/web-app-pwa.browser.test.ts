import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromiumProfile, stepShots, type StepShots } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';
import { waitFor } from './utils/wait-for';

const PASSWORD = 'correct horse battery';

/** The installed app's manifest as the browser reads it (the fields this test checks). */
interface WebManifest {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

/**
 * Issue M: the web app installs as an app (manifest, icons, a service worker that Chromium accepts)
 * and opens without a network on its precached shell, saying it is offline; the API's routes are
 * never answered from the cache.
 */
describeWithBrowser('the web app as an installable, offline-capable app', () => {
  let api: TestServer;
  let profile: { context: BrowserContext; close(): Promise<void> };
  let context: BrowserContext;
  let page: Page;
  let shots: StepShots;

  beforeAll(async () => {
    api = await startTestServer();
    shots = stepShots(`web-app-pwa-${backendKind()}`);
    // A regular profile: Chromium does not install apps from incognito contexts.
    profile = await launchChromiumProfile({ baseURL: api.url, locale: 'en-US', viewport: { width: 390, height: 844 } });
    context = profile.context;
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await profile?.close();
    await api?.close();
  });

  /** The active service worker's state and whether it controls the page, once it is ready. */
  const serviceWorkerState = (p: Page) =>
    p.evaluate(`navigator.serviceWorker.ready.then(async (registration) => {
      // ready resolves with an active worker that may still be activating; clients.claim() runs on
      // activation: wait (10 s at most) until it is activated and controls this page.
      for (let i = 0; i < 200 && !(registration.active.state === 'activated' && navigator.serviceWorker.controller); i++)
        await new Promise((r) => setTimeout(r, 50));
      return {
        state: registration.active && registration.active.state,
        scope: registration.scope,
        controlled: Boolean(navigator.serviceWorker.controller),
      };
    })`) as Promise<{ state: string; scope: string; controlled: boolean }>;

  it('serves a manifest with the name, standalone display, colours and 192/512 PNG, SVG and maskable icons', async () => {
    await page.goto('/login');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/manifest.webmanifest');
    const response = await page.request.get(href!);
    expect(response.ok()).toBe(true);
    const manifest = (await response.json()) as WebManifest;
    expect(manifest).toMatchObject({
      name: 'randchat',
      short_name: 'randchat',
      start_url: '/',
      display: 'standalone',
      theme_color: '#4f46e5',
      background_color: '#f6f7fb',
    });
    expect(await page.locator('meta[name="theme-color"]').getAttribute('content')).toBe('#4f46e5');

    // Each icon is there, of the type and size it claims.
    for (const icon of manifest.icons) {
      const file = await page.request.get(icon.src);
      expect(file.ok()).toBe(true);
      expect(file.headers()['content-type']).toContain(icon.type);
      if (icon.type !== 'image/png') continue;
      const { width, height } = await sharp(await file.body()).metadata();
      expect(`${width}x${height}`).toBe(icon.sizes);
    }
    const pngs = manifest.icons.filter((i) => i.type === 'image/png');
    expect(pngs.filter((i) => i.purpose !== 'maskable').map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    expect(pngs.filter((i) => i.purpose === 'maskable').map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    expect(manifest.icons.some((i) => i.type === 'image/svg+xml')).toBe(true);
  });

  it('registers and activates a service worker that controls the page, and Chromium reports no installability error', async () => {
    await page.goto('/login');
    const sw = await serviceWorkerState(page);
    expect(sw).toEqual({ state: 'activated', scope: `${api.url}/`, controlled: true });

    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors).toEqual([]);
    const appManifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(appManifest.url).toBe(`${api.url}/manifest.webmanifest`);
    expect(appManifest.errors).toEqual([]);
    await cdp.detach();

    // The service worker is served fresh on every check (a new build takes over at once).
    const script = await page.request.get('/sw.js');
    expect(script.headers()['cache-control']).toBe('no-cache');
  });

  it('precaches the app shell but never the playground', async () => {
    await page.goto('/login');
    await serviceWorkerState(page);
    const cached = (await page.evaluate(`(async () => {
      const urls = [];
      for (const name of await caches.keys())
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    })()`)) as string[];
    expect(cached).toContain('/index.html');
    expect(cached.some((u) => /^\/assets\/main-.*\.js$/.test(u))).toBe(true);
    expect(cached.some((u) => /^\/assets\/HomeView-.*\.js$/.test(u))).toBe(true);
    expect(cached.filter((u) => /playground/.test(u))).toEqual([]);
  });

  it('shows a Web Push as a notification for its room, in the browser language, with the preview the push carries', async () => {
    await context.grantPermissions(['notifications'], { origin: api.url });
    await page.goto('/login');
    await serviceWorkerState(page);
    const cdp = await context.newCDPSession(page);
    type Registration = { registrationId: string; scopeURL: string; isDeleted: boolean };
    const registrationId = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }: { registrations: Registration[] }) => {
        const mine = registrations.find((r) => r.scopeURL === `${api.url}/` && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    try {
      // What the push service hands the browser: the API's JSON payload (as push.test.ts decrypts it).
      const push = { type: 'MESSAGE', roomId: 'room-1', text: 'New message', preview: 'see you at 7' };
      const notifications = () =>
        page.evaluate(`navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) =>
        list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url })))`) as Promise<unknown[]>;
      // Delivered again while none shows (as a push service redelivers): on a loaded machine Chromium
      // may drop a push that reaches a worker still starting. The tag makes a repeat replace, not add.
      let delivered = 0;
      await waitFor(
        async () => {
          if ((await notifications()).length > 0) return true;
          if (delivered < 3) {
            delivered++;
            await cdp.send('ServiceWorker.deliverPushMessage', {
              origin: api.url,
              registrationId: await registrationId,
              data: JSON.stringify(push),
            });
          }
          return false;
        },
        { timeoutMs: 15_000, intervalMs: 5_000, message: 'a notification from the push' },
      );
      expect(await notifications()).toEqual([
        { title: 'New message', body: 'see you at 7', tag: 'room-room-1', url: '/rooms/room-1' },
      ]);
    } finally {
      await cdp.send('ServiceWorker.disable');
      await cdp.detach();
    }
  }, 60_000);

  it('opens offline on the cached shell with a translated offline notice, while GraphQL and the playground fail instead of coming from the cache', async () => {
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'No network' }).waitFor();
    await page.getByText("You're offline. randchat opens as soon as the network is back.").waitFor();
    await shots.shot(page, 'offline-start-en');

    // Client-side routing still works offline: the language switch, in Korean.
    await page.getByRole('button', { name: /한국어/ }).click();
    await page.getByRole('heading', { name: '네트워크 없음' }).waitFor();
    await page.getByText('오프라인 상태예요. 네트워크가 돌아오면 randchat이 바로 열려요.').waitFor();
    await shots.shot(page, 'offline-start-ko');
    await page.getByRole('button', { name: /English/ }).click();

    // Network-only routes: no answer at all while offline (none from a cache).
    const offlineFetch = (path: string, init: object = {}) =>
      page.evaluate(
        `fetch(${JSON.stringify(path)}, ${JSON.stringify(init)}).then((r) => 'status ' + r.status, (e) => 'failed: ' + e.name)`,
      );
    expect(await offlineFetch('/graphql?query=%7B__typename%7D')).toBe('failed: TypeError');
    expect(
      await offlineFetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
    ).toBe('failed: TypeError');
    expect(await offlineFetch('/playground')).toBe('failed: TypeError');
    // A deep link to a client-side route is the shell as well.
    await page.goto('/rooms');
    await page.getByText("You're offline. randchat opens as soon as the network is back.").waitFor();

    // Back online, the app carries on by itself (signed out here: the login page).
    await context.setOffline(false);
    await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 20_000 });
  });

  it('tells a signed-in person who loses the network that they are offline, and clears it when the network is back', async () => {
    await page.goto('/signup');
    await page.getByLabel('Email').fill(`pwa${Date.now()}@example.test`);
    await page.getByLabel('Password').first().fill(PASSWORD);
    await page.getByLabel('Nickname').fill('Offline');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Hi Offline' }).waitFor();

    await context.setOffline(true);
    const notice = page.getByText("You're offline. Messages and matches wait until the network is back.");
    await notice.waitFor();
    await shots.shot(page, 'offline-signed-in');
    await context.setOffline(false);
    await notice.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Hi Offline' }).waitFor();
  });
});
