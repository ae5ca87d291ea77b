import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { createOutboxMailer } from '../src/infra/mail/mailer.outbox';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots, type StepShots } from './utils/browser';
import { Chatter } from './utils/chatter';
import { gql } from './utils/graphql';
import { MatchPlayer } from './utils/match-player';
import { ok } from './utils/ok';
import { startTestServer, type TestServer } from './utils/test-server';
import { waitFor } from './utils/wait-for';

const SEOUL = { latitude: 37.5665, longitude: 126.978 };
const YEAR = new Date().getUTCFullYear();

/**
 * Safety and trust in the browser, on a server with the Korean-compliant setting
 * (REQUIRE_PHONE_VERIFICATION=true): the age rule at sign-up, phone verification with the code from
 * the dev outbox before matching, and the notice under a first message whose link was hidden.
 */
describeWithBrowser('the web app in Chromium: the age rule, phone verification and the link guard', () => {
  let api: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let shots: StepShots;
  const players: MatchPlayer[] = [];
  const pageErrors: string[] = [];

  /** The code in the newest SMS to `to` (E.164) in the dev outbox. */
  async function smsCode(to: string): Promise<string> {
    const outbox = createOutboxMailer(path.join(api.backend.env.DATA_DIR!, 'outbox'), { from: '' });
    let text = '';
    await waitFor(
      async () => {
        text = (await outbox.list()).find((m) => m.to === to && m.subject === 'SMS')?.text ?? '';
        return text !== '';
      },
      { message: `an SMS to ${to}` },
    );
    return /\b(\d{6})\b/.exec(text)![1]!;
  }

  beforeAll(async () => {
    api = await startTestServer({ env: { REQUIRE_PHONE_VERIFICATION: 'true' } });
    browser = await launchChromium();
    context = await browser.newContext({
      baseURL: api.url,
      locale: 'en-US',
      geolocation: SEOUL,
      permissions: ['geolocation'],
      viewport: { width: 390, height: 800 },
    });
    shots = stepShots(`web-app-trust-${backendKind()}`);
  });

  afterAll(async () => {
    await Promise.all(players.map((p) => p.close()));
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('refuses a minor at sign-up, verifies the phone before matching, and explains a hidden link', async () => {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto('/signup');
    await page.getByText(`born in ${YEAR - 19} or earlier`).waitFor();
    await page.getByLabel('Email').fill(`trust${Date.now()}@example.test`);
    await page.getByLabel('Password', { exact: false }).first().fill('correct horse battery');
    await page.getByLabel('Nickname').fill('Mina');
    await page.getByLabel('Birth year (optional)').fill(String(YEAR - 18));
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('Enter a valid birth year; members must be adults.').waitFor();
    await shots.shot(page, 'a minor is refused');
    await page.getByLabel('Birth year (optional)').fill(String(YEAR - 19));
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Hi Mina' }).waitFor();

    // Matching waits for a verified phone: the start page asks for it instead of "Find someone".
    await page.getByText('This server needs a verified mobile number').waitFor();
    expect(await page.getByRole('button', { name: 'Find someone' }).count()).toBe(0);
    await page.getByLabel('Mobile number').fill('010-4000-0001');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByText('We sent a 6-digit code by SMS to 010-4000-0001.').waitFor();
    await shots.shot(page, 'code sent');
    const code = await smsCode('+821040000001');
    await page.getByLabel('Code from the SMS').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('The code is wrong or expired. Send a new code.').waitFor();
    await shots.shot(page, 'wrong code refused');
    await page.getByLabel('Code from the SMS').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Find someone' }).waitFor();
    await shots.shot(page, 'phone verified, matching open');

    // A verified partner, through the API.
    const partner = await MatchPlayer.create(api);
    players.push(partner);
    const call = (query: string, variables: Record<string, unknown>) =>
      gql(api.graphqlUrl, query, variables, { token: partner.user.accessToken });
    ok(await call('mutation($p: String!) { requestPhoneCode(phone: $p) }', { p: '01040000002' }));
    ok(
      await call('mutation($p: String!, $c: String!) { verifyPhone(phone: $p, code: $c) { id } }', {
        p: '01040000002',
        c: await smsCode('+821040000002'),
      }),
    );

    await page.getByRole('button', { name: 'Use my location' }).click();
    await page.getByText('Location ready').waitFor();
    await page.getByRole('button', { name: 'Find someone' }).click();
    await page.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();
    ok(await partner.request({ lat: 37.57, lon: 126.978 }, 5));
    const offer = await partner.next('OFFERED');
    await page.getByRole('button', { name: 'Accept' }).click();
    ok(await partner.respond(offer.matchId, true));
    await page.waitForURL(/\/rooms\/.+/);
    const roomId = new URL(page.url()).pathname.split('/').at(-1)!;

    await page.getByLabel('Message', { exact: true }).fill('find me at insta.example.com/mina or 010-4000-0001');
    await page.getByRole('button', { name: 'Send' }).click();
    const notice = page.getByRole('note');
    await notice.waitFor();
    expect(await notice.innerText()).toBe(
      'Hidden (•••): links, phone numbers. They are hidden in your first messages to someone new, against spam.',
    );
    expect(await page.locator('.bubble .text').allInnerTexts()).toEqual(['find me at ••• or •••']);
    const seen = ok(await new Chatter(partner.user, api.graphqlUrl).messagesAfter(roomId, 0)).messagesAfter;
    expect(seen.map((m) => m.body)).toEqual(['find me at ••• or •••']);

    // The partner's own hidden number shows hidden, without a notice to the reader.
    ok(await new Chatter(partner.user, api.graphqlUrl).send(roomId, 'mine is 010 4000 0002'));
    await page.getByText('mine is •••').waitFor();
    expect(await page.getByRole('note').count()).toBe(1);
    await shots.shot(page, 'hidden link explained to the sender');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
