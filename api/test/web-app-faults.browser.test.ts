import type { Browser, BrowserContext } from 'playwright-core';
import { createTestBackend, type TestBackend } from './utils/backend';
import { describeWithBrowser, launchChromium, logIn, stepShots, type StepShots } from './utils/browser';
import { newClientMessageId } from './utils/chatter';
import { gql } from './utils/graphql';
import { ok } from './utils/ok';
import { createRoomPair, type RoomPair } from './utils/room-pair';
import { spawnInstance, type SpawnedInstance } from './utils/spawn-instance';
import { signUpUser } from './utils/users';

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { seq } }`;
const HISTORY = `query($roomId: ID!) { messagesAfter(roomId: $roomId, afterSeq: 0, first: 100) { body sender { id } } }`;

/**
 * The web app through faults of the server it talks to: the API process killed with SIGKILL and
 * started again on the same port and data (on the embedded default, the SQLite file in DATA_DIR),
 * then frozen with SIGSTOP. The page says it is reconnecting, keeps the user logged in, delivers
 * what was written meanwhile exactly once, and catches up with what the peer wrote while it was away.
 */
describeWithBrowser('the web app in Chromium through an API crash, restart and freeze', () => {
  let backend: TestBackend;
  let instance: SpawnedInstance;
  let browser: Browser;
  let context: BrowserContext;
  let shots: StepShots;
  let pair: RoomPair;
  let frozen = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    backend = await createTestBackend();
    instance = await spawnInstance({ ...backend.env, LOG_LEVEL: 'warn' });
    browser = await launchChromium();
    shots = stepShots('web-app-faults');
    pair = await createRoomPair(instance, 0);
    // The players' sockets would only die with the server; the peer writes over HTTP below.
    await Promise.all([pair.a.disconnect(), pair.b.disconnect()]);
  });

  afterAll(async () => {
    if (frozen) instance.process.kill('SIGCONT');
    await context?.close();
    await browser?.close();
    await instance?.stop();
    await backend?.cleanup();
  });

  const history = async () =>
    ok(
      await gql<{ messagesAfter: { body: string; sender: { id: string } }[] }>(
        instance.graphqlUrl,
        HISTORY,
        { roomId: pair.roomId },
        { token: pair.b.user.accessToken },
      ),
    ).messagesAfter.map((m) => m.body);

  const peerSends = async (body: string) =>
    ok(
      await gql(
        instance.graphqlUrl,
        SEND,
        { input: { roomId: pair.roomId, clientMessageId: newClientMessageId(), body } },
        { token: pair.b.user.accessToken },
      ),
    );

  it('shows "Reconnecting…", stays logged in, delivers the queued message once and catches up', async () => {
    context = await browser.newContext({
      baseURL: instance.url,
      locale: 'en-US',
      viewport: { width: 390, height: 800 },
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const reconnecting = page.getByRole('status').filter({ hasText: 'Reconnecting…' });

    await logIn(page, pair.a.user);
    await page.goto(`/rooms/${pair.roomId}`);
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('before the crash');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.bubble .text', { hasText: 'before the crash' }).waitFor();
    await page.getByText('Sent', { exact: true }).waitFor();
    expect(await reconnecting.count()).toBe(0);

    // A crash: nothing is drained or closed, the socket just drops.
    await instance.kill();
    await reconnecting.waitFor({ timeout: 10_000 });
    await shots.shot(page, 'reconnecting while the server is down');
    await message.pressSequentially('written while the server was down', { delay: 20 });
    await message.press('Enter');
    await page.getByText('Sending…').waitFor();
    await shots.shot(page, 'the message waits as sending');

    // The page stays away while the server comes back and the peer writes: it must catch up.
    await context.setOffline(true);
    instance = await spawnInstance({ ...backend.env, LOG_LEVEL: 'warn', PORT: String(instance.port) });
    await peerSends('written by the peer while you were away');
    await context.setOffline(false);

    await page.locator('.bubble .text', { hasText: 'written by the peer while you were away' }).waitFor({
      timeout: 40_000,
    });
    await page.getByText('Sending…').waitFor({ state: 'detached', timeout: 40_000 });
    await reconnecting.waitFor({ state: 'detached', timeout: 20_000 });
    await shots.shot(page, 'back: delivered and caught up');

    expect(new URL(page.url()).pathname).toBe(`/rooms/${pair.roomId}`);
    expect(await page.getByRole('heading', { name: 'Log in' }).count()).toBe(0);
    expect(await page.getByLabel('Message', { exact: true }).isEnabled()).toBe(true);
    const stored = await history();
    expect(stored.filter((b) => b === 'written while the server was down')).toHaveLength(1);
    // The peer wrote while the page was away; the page sent its message after it came back.
    expect(stored).toEqual([
      'before the crash',
      'written by the peer while you were away',
      'written while the server was down',
    ]);
    expect(await page.locator('.bubble .text').allInnerTexts()).toEqual(stored);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('notices a frozen server (SIGSTOP) by its missing pong, shows "Reconnecting…" and recovers after SIGCONT', async () => {
    await context?.close();
    context = await browser.newContext({
      baseURL: instance.url,
      locale: 'ko-KR',
      viewport: { width: 390, height: 800 },
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const reconnecting = page.getByRole('status').filter({ hasText: '다시 연결하는 중…' });
    await page.goto('/login');
    await page.getByLabel('이메일').fill(pair.a.user.email);
    await page.getByLabel('비밀번호').fill(pair.a.user.password);
    await page.getByRole('button', { name: '로그인', exact: true }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.goto(`/rooms/${pair.roomId}`);
    await page.locator('.bubble .text', { hasText: 'written while the server was down' }).waitFor();

    // Frozen, the server closes nothing: only the client's ping (every 15 s) without a pong (5 s) tells.
    instance.process.kill('SIGSTOP');
    frozen = true;
    await reconnecting.waitFor({ timeout: 25_000 });
    await shots.shot(page, 'reconnecting while the server is frozen');
    const message = page.getByLabel('메시지', { exact: true });
    await message.fill('written while the server was frozen');
    await message.press('Enter');
    await page.getByText('보내는 중…').waitFor();

    instance.process.kill('SIGCONT');
    frozen = false;
    await page.getByText('보내는 중…').waitFor({ state: 'detached', timeout: 30_000 });
    await reconnecting.waitFor({ state: 'detached', timeout: 30_000 });
    await shots.shot(page, 'back after the freeze');
    expect(new URL(page.url()).pathname).toBe(`/rooms/${pair.roomId}`);
    expect((await history()).filter((b) => b === 'written while the server was frozen')).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

/**
 * A short access-token lifetime (8 s) and an outage longer than it: the refreshes during the outage
 * fail with network errors, the token expires, and the reconnecting socket presents an expired token
 * or refreshes first. Either way only a refused refresh token may end the session, and it is not.
 */
describeWithBrowser('the web app in Chromium when the access token expires while the API is down', () => {
  let backend: TestBackend;
  let instance: SpawnedInstance;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    backend = await createTestBackend();
    instance = await spawnInstance({ ...backend.env, LOG_LEVEL: 'warn', ACCESS_TOKEN_TTL: '8s' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await instance?.stop();
    await backend?.cleanup();
  });

  it('keeps the user logged in and working after the API comes back', async () => {
    const user = await signUpUser(instance.graphqlUrl, { nickname: 'Expiring' });
    context = await browser.newContext({ baseURL: instance.url, locale: 'en-US' });
    const page = await context.newPage();
    const reconnecting = page.getByRole('status').filter({ hasText: 'Reconnecting…' });
    await logIn(page, user);
    await page.getByRole('heading', { name: 'Hi Expiring' }).waitFor();

    await instance.kill();
    await reconnecting.waitFor({ timeout: 10_000 });
    // Longer than the token lives: it has expired when the API is back.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    instance = await spawnInstance({
      ...backend.env,
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL: '8s',
      PORT: String(instance.port),
    });
    await reconnecting.waitFor({ state: 'detached', timeout: 30_000 });

    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('link', { name: 'Chats', exact: true }).click();
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    expect(await page.getByRole('link', { name: 'Log in' }).count()).toBe(0);
  }, 120_000);
});
