import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';

/** Issue M: the main route's JavaScript, gzipped, at most this many bytes. */
const BUDGET_BYTES = 200 * 1024;
const PASSWORD = 'correct horse battery';

/**
 * What the browser downloads, measured where a person's phone would: every JavaScript response of
 * the app's origin while a route loads, each body gzipped (zlib's default level, as nginx and most
 * CDNs serve it) and summed.
 */
describeWithBrowser('the web app bundle: the main route within its budget, the playground apart', () => {
  let api: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    api = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  /** Collects the JavaScript the page downloads from now on until `settled()`: URL path -> gzipped bytes. */
  const collect = (page: Page) => {
    const scripts = new Map<string, number>();
    const pending: Promise<void>[] = [];
    const onResponse = (response: Response) => {
      const url = new URL(response.url());
      const type = response.headers()['content-type'] ?? '';
      if (url.origin !== new URL(api.url).origin || !/javascript/.test(type)) return;
      pending.push(
        response.body().then(
          (body) => void scripts.set(url.pathname, gzipSync(body).length),
          () => undefined,
        ),
      );
    };
    page.on('response', onResponse);
    return {
      /** Once the network is idle: what arrived, and no more. */
      async settled() {
        await page.waitForLoadState('networkidle');
        page.off('response', onResponse);
        await Promise.all(pending);
        return new Map(scripts);
      },
    };
  };
  const total = (scripts: Map<string, number>) => [...scripts.values()].reduce((a, b) => a + b, 0);
  const names = (scripts: Map<string, number>) => [...scripts.keys()].map((p) => path.basename(p));

  it('loads the sign-in page and the signed-in Match screen with at most 200 KB of gzipped JavaScript, and the playground only on /playground', async () => {
    const context = await browser.newContext({ baseURL: api.url, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();

    const signedOut = collect(page);
    await page.goto('/login');
    const login = await signedOut.settled();

    await page.goto('/signup');
    await page.getByLabel('Email').fill(`bundle${Date.now()}@example.test`);
    await page.getByLabel('Password').first().fill(PASSWORD);
    await page.getByLabel('Nickname').fill('Bundle');
    // The Match screen, freshly loaded as a returning person opens the app.
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Hi Bundle' }).waitFor();
    const signedIn = collect(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Hi Bundle' }).waitFor();
    const home = await signedIn.settled();

    const playgroundVisit = collect(page);
    await page.goto('/playground');
    const playground = await playgroundVisit.settled();
    await context.close();

    const report = {
      budgetBytes: BUDGET_BYTES,
      login: { gzipBytes: total(login), scripts: Object.fromEntries(login) },
      match: { gzipBytes: total(home), scripts: Object.fromEntries(home) },
      playground: { gzipBytes: total(playground), scripts: Object.fromEntries(playground) },
    };
    console.info(
      `main route JavaScript, gzipped: sign-in ${total(login)} B, Match ${total(home)} B (budget ${BUDGET_BYTES} B); /playground ${total(playground)} B`,
    );
    const artifacts = path.resolve(__dirname, '../../test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, `bundle-size-${backendKind()}.json`), `${JSON.stringify(report, null, 2)}\n`);

    for (const scripts of [login, home]) {
      expect(scripts.size).toBeGreaterThan(0);
      expect(total(scripts)).toBeLessThanOrEqual(BUDGET_BYTES);
      expect(names(scripts).filter((n) => /playground|codemirror/i.test(n))).toEqual([]);
    }
    // The playground's editor arrives when it is visited, and only then.
    expect(names(playground).some((n) => /playground/i.test(n))).toBe(true);
    expect(total(playground)).toBeGreaterThan(BUDGET_BYTES);
  });
});
