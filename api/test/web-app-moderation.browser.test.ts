import type { Browser, BrowserContext, Page } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, logIn, stepShots, type StepShots } from './utils/browser';
import { signUpModerator } from './utils/moderation';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser, type TestUser } from './utils/users';

const SEOUL = { latitude: 37.5665, longitude: 126.978 };
/** About 400 m north of SEOUL: inside both users' radius. */
const NEARBY = { latitude: 37.57, longitude: 126.978 };

/**
 * Moderation as people meet it: during a chat one member reports the other (the report carries
 * the room), a moderator reads the conversation on /moderation and bans, and the banned member's
 * screen says why, at once and again when they try to log in. Screenshots in test-artifacts/.
 */
describeWithBrowser('the web app in Chromium: a report, a ban on /moderation, and the banned screen', () => {
  let api: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let shots: StepShots;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    api = await startTestServer();
    browser = await launchChromium();
    shots = stepShots(`web-app-moderation-${backendKind()}`);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await api?.close();
  });

  async function phone(user: TestUser, position = SEOUL): Promise<Page> {
    const context = await browser.newContext({
      baseURL: api.url,
      locale: 'en-US',
      geolocation: position,
      permissions: ['geolocation'],
      viewport: { width: 1000, height: 900 },
    });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(page, user);
    return page;
  }

  /** Two people matched in the web app, in their room, `b` having sent `a` the message `said`. */
  async function chatting(a: Page, b: Page, said: string) {
    for (const page of [a, b]) {
      await page.getByRole('button', { name: 'Use my location' }).click();
      await page.getByRole('button', { name: 'Find someone' }).click();
    }
    for (const page of [a, b]) await page.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
    await a.getByRole('button', { name: 'Accept' }).click();
    await b.getByRole('button', { name: 'Accept' }).click();
    await a.waitForURL(/\/rooms\/.+/);
    await b.waitForURL(/\/rooms\/.+/);
    await b.getByLabel('Message', { exact: true }).fill(said);
    await b.getByRole('button', { name: 'Send' }).click();
    await a.getByText(said).waitFor();
    return new URL(a.url()).pathname.split('/').pop()!;
  }

  it('reports during a chat, the moderator bans on /moderation, and the banned user is told why', async () => {
    const alice = await signUpUser(api.graphqlUrl, { nickname: 'Alice' });
    const bora = await signUpUser(api.graphqlUrl, { nickname: 'Bora' });
    const moderator = await signUpModerator(api);
    const [a, b] = [await phone(alice), await phone(bora, NEARBY)];

    // Members see no moderation page: neither in the menu nor at its address.
    expect(await a.getByRole('link', { name: 'Moderation' }).count()).toBe(0);
    await a.goto('/moderation');
    await a.getByRole('heading', { name: 'Page not found' }).waitFor();
    await a.goto('/');

    const roomId = await chatting(a, b, 'give me your number or else');
    await shots.shot(a, 'a and b matched');

    const reportSent = a.waitForRequest((r) => r.method() === 'POST' && /ReportUser/.test(r.postData() ?? ''));
    await a.getByLabel('Chat actions').click();
    await a.getByRole('button', { name: 'Report' }).click();
    await a.getByLabel('What happened?').fill('Threats');
    await a.getByRole('dialog').getByRole('button', { name: 'Report' }).click();
    await a.getByText('Thanks, the report was sent to the moderators.').waitFor();
    expect(JSON.parse((await reportSent).postData()!).variables).toEqual({
      userId: bora.id,
      reason: 'Threats',
      roomId,
    });
    await shots.shot(a, 'a reported b');

    const m = await phone(moderator);
    await m.getByRole('link', { name: 'Moderation' }).click();
    await m.getByRole('heading', { name: 'Moderation', exact: true }).waitFor();
    await m.getByTestId('report-item').filter({ hasText: 'Threats' }).click();
    const evidence = m.getByTestId('evidence');
    await evidence.getByText('give me your number or else').waitFor();
    expect(await evidence.getByTestId('report-reason').innerText()).toBe('Threats');
    await m.getByTestId('moderation-log').getByText('Read the conversation').waitFor();
    await shots.shot(m, 'moderator reads the evidence');

    await m.getByLabel('Ban').check();
    await m.getByLabel('Note to the user (optional)').fill('Threatening another member');
    await m.getByRole('button', { name: 'Ban', exact: true }).click();
    await m.getByTestId('decided').waitFor();
    await m.getByTestId('moderation-log').getByText('Banned').waitFor();
    await shots.shot(m, 'moderator banned b');

    // Bora's socket closes with 4403; the refused refresh says why and the app shows the login page.
    await b.waitForURL(/\/login/, { timeout: 10_000 });
    await b.getByText('A moderator banned your account after a report.').waitFor();
    await shots.shot(b, 'b is told at once');
    await b.getByLabel('Email').fill(bora.email);
    await b.getByLabel('Password', { exact: false }).first().fill(bora.password);
    await b.getByRole('button', { name: 'Log in', exact: true }).click();
    const notice = b.getByTestId('sanction-notice');
    await notice.getByText('A moderator banned your account after a report. It cannot be used again.').waitFor();
    await notice.getByText('Moderator’s note: Threatening another member').waitFor();
    await shots.shot(b, 'b login refused with the reason');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('blocks and reports in one step: the chat is gone for the reporter, and the moderator reads it', async () => {
    const chae = await signUpUser(api.graphqlUrl, { nickname: 'Chae' });
    const dami = await signUpUser(api.graphqlUrl, { nickname: 'Dami' });
    const moderator = await signUpModerator(api);
    const [c, d] = [await phone(chae), await phone(dami, NEARBY)];
    await chatting(c, d, 'send me photos now');

    await c.getByLabel('Chat actions').click();
    await c.getByRole('button', { name: 'Block' }).click();
    const dialog = c.getByRole('dialog');
    await dialog.getByLabel('Also report Dami to the moderators').check();
    // The reason is asked for once the report is ticked, and a blank one blocks nobody.
    await dialog.getByRole('button', { name: 'Block' }).click();
    const reason = dialog.getByLabel('What happened?');
    expect(
      await reason.evaluate(
        (field) => (field as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing,
      ),
    ).toBe(true);
    expect(c.url()).toMatch(/\/rooms\/.+/);
    await reason.fill('Asked for photos');
    await shots.shot(c, 'c blocks and reports d');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await c.waitForURL(/\/rooms$/);
    expect(await c.getByText('Dami').count()).toBe(0);

    const m = await phone(moderator);
    await m.goto('/moderation');
    await m.getByTestId('report-item').filter({ hasText: 'Asked for photos' }).click();
    const evidence = m.getByTestId('evidence');
    await evidence.getByText('send me photos now').waitFor();
    await shots.shot(m, 'moderator reads the chat c left');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
