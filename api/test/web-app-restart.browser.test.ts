import type { Browser, BrowserContext } from 'playwright-core';
import { createTestBackend, type TestBackend } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots } from './utils/browser';
import { gql } from './utils/graphql';
import { ok } from './utils/ok';
import { spawnInstance, type SpawnedInstance } from './utils/spawn-instance';
import { freePort } from './utils/topology';
import { waitFor } from './utils/wait-for';

const PASSWORD = 'correct horse battery';
const LOG_IN = 'mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }';
const STATUS = '{ matchStatus { state radiusKm } }';

/**
 * The embedded default keeps the matching queue in memory: a restarted server has forgotten every
 * search. The web app notices when its socket comes back and searches again by itself.
 */
describeWithBrowser('the web app in Chromium when the embedded server restarts during a search', () => {
  let backend: TestBackend;
  let port: number;
  let instance: SpawnedInstance | undefined;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    backend = await createTestBackend('embedded');
    port = await freePort();
    instance = await spawnInstance({ ...backend.env, PORT: String(port) });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await instance?.stop();
    await backend?.cleanup();
  });

  /** Reads the user's matching state as the server has it, through a session of its own. */
  const stateReader = async (email: string): Promise<() => Promise<string>> => {
    const url = `http://127.0.0.1:${port}/graphql`;
    const { accessToken } = ok(
      await gql<{ logIn: { accessToken: string } }>(url, LOG_IN, { input: { email, password: PASSWORD } }),
    ).logIn;
    return async () =>
      ok(await gql<{ matchStatus: { state: string } }>(url, STATUS, undefined, { token: accessToken })).matchStatus
        .state;
  };

  it('is searching again on the restarted server within a few seconds, without the user doing anything', async () => {
    const shots = stepShots('web-app-restart-during-search');
    context = await browser.newContext({
      baseURL: `http://127.0.0.1:${port}`,
      locale: 'en-US',
      geolocation: { latitude: 37.5665, longitude: 126.978 },
      permissions: ['geolocation'],
      viewport: { width: 390, height: 800 },
    });
    const page = await context.newPage();
    const email = `r${Date.now()}@example.test`;
    await page.goto('/signup');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: false }).first().fill(PASSWORD);
    await page.getByLabel('Nickname').fill('Rae');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Hi Rae' }).waitFor();
    await page.getByRole('button', { name: 'Use my location' }).click();
    await page.getByText('Location ready').waitFor();
    await page.getByRole('button', { name: 'Find someone' }).click();
    await page.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();
    expect(await (await stateReader(email))()).toBe('SEARCHING');
    await shots.shot(page, 'searching');

    instance!.process.kill('SIGKILL');
    await instance!.stop();
    instance = await spawnInstance({ ...backend.env, PORT: String(port) });
    const state = await stateReader(email);
    await waitFor(async () => (await state()) === 'SEARCHING', {
      timeoutMs: 10_000,
      intervalMs: 250,
      message: 'the web app to search again on the restarted server',
    });
    await page.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();
    await shots.shot(page, 'searching again after the restart');
  }, 60_000);
});
