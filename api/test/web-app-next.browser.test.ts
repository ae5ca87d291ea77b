import type { Browser, BrowserContext, Page } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots, type StepShots } from './utils/browser';
import { gql } from './utils/graphql';
import { MatchPlayer } from './utils/match-player';
import { ok } from './utils/ok';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser, type TestUser } from './utils/users';

const SEOUL = { latitude: 37.5665, longitude: 126.978 };
/** About 400 m north of SEOUL: inside everyone's radius. */
const NEARBY = { latitude: 37.57, longitude: 126.978 };
const YEAR = new Date().getUTCFullYear();
const REQUEST = `mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state } }`;

/**
 * Preferences and Next on phones: two people whose preferences accept each other match; one
 * presses Next, and the chat is gone for them; the other is told kindly and still reads it; the
 * first is searching again and is offered a third person (driven over GraphQL), never the partner
 * they left, who is searching again too.
 */
describeWithBrowser('the web app in Chromium: preferences and Next', () => {
  let api: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const players: MatchPlayer[] = [];
  let shots: StepShots;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    api = await startTestServer();
    browser = await launchChromium();
    shots = stepShots(`web-app-next-${backendKind()}`);
  });

  afterAll(async () => {
    await Promise.all(players.map((p) => p.close()));
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await api?.close();
  });

  /** A 360 px wide phone at `position`, logged in as `user` through the login page in its language. */
  async function phone(
    user: TestUser,
    locale: 'en-US' | 'ko-KR',
    position: typeof SEOUL,
    labels: { email: string; password: string; logIn: string },
  ): Promise<Page> {
    const context = await browser.newContext({
      baseURL: api.url,
      locale,
      geolocation: position,
      permissions: ['geolocation'],
      viewport: { width: 360, height: 740 },
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${locale}: ${e.message}`));
    await page.goto('/login');
    await page.getByLabel(labels.email).fill(user.email);
    await page.getByLabel(labels.password, { exact: false }).first().fill(user.password);
    await page.getByRole('button', { name: labels.logIn, exact: true }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    return page;
  }

  /** Pixels the page is wider than its screen (0: nothing to scroll sideways). */
  const overflowPx = (p: Page): Promise<number> =>
    p.evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`);

  it('matches two people by mutual preferences, tells the one left behind kindly, and offers the one who moved on someone new', async () => {
    const alice = await signUpUser(api.graphqlUrl, { nickname: 'Alice', gender: 'FEMALE', birthYear: YEAR - 28 });
    const bora = await signUpUser(api.graphqlUrl, { nickname: 'Bora', gender: 'MALE', birthYear: YEAR - 30 });
    const chris = await signUpUser(api.graphqlUrl, { nickname: 'Chris', gender: 'MALE', birthYear: YEAR - 33 });
    const a = await phone(alice, 'en-US', SEOUL, { email: 'Email', password: 'Password', logIn: 'Log in' });
    const b = await phone(bora, 'ko-KR', NEARBY, { email: '이메일', password: '비밀번호', logIn: '로그인' });

    // Alice wants men aged 25 to 40; an inverted range is explained and blocks the search until fixed.
    await a.getByRole('heading', { name: 'Hi Alice' }).waitFor();
    await a.getByLabel('Male', { exact: true }).check();
    expect(await a.getByLabel('Anyone', { exact: true }).isChecked()).toBe(false);
    await a.getByLabel('Youngest age').fill('45');
    await a.getByLabel('Oldest age').fill('40');
    await a.getByLabel('Youngest age').focus();
    await a.getByText('The youngest age cannot be above the oldest.').waitFor();
    await a.getByRole('button', { name: 'Use my location' }).click();
    await a.getByText('Location ready').waitFor();
    expect(await a.getByRole('button', { name: 'Find someone' }).isDisabled()).toBe(true);
    await shots.shot(a, 'en inverted age range explained');
    await a.getByLabel('Youngest age').fill('25');
    await a.getByLabel('Oldest age').focus();
    expect(await a.getByText('The youngest age cannot be above the oldest.').count()).toBe(0);
    expect(await overflowPx(a)).toBe(0);
    for (const chip of await a.locator('.chip').all())
      expect((await chip.boundingBox())!.height).toBeGreaterThanOrEqual(44);

    // Remembered on the device: a reload shows the same choices.
    await a.reload();
    await a.getByRole('heading', { name: 'Hi Alice' }).waitFor();
    expect(await a.getByLabel('Male', { exact: true }).isChecked()).toBe(true);
    expect(await a.getByLabel('Youngest age').inputValue()).toBe('25');
    expect(await a.getByLabel('Oldest age').inputValue()).toBe('40');
    await a.getByText('Location ready').waitFor();
    await shots.shot(a, 'en preferences kept after a reload');
    await a.getByRole('button', { name: 'Find someone' }).click();
    await a.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();

    // Bora wants women from 20.
    await b.getByRole('heading', { name: 'Bora님, 안녕하세요' }).waitFor();
    await b.getByLabel('여성', { exact: true }).check();
    await b.getByLabel('최소 나이').fill('20');
    expect(await overflowPx(b)).toBe(0);
    await shots.shot(b, 'ko preferences');
    await b.getByRole('button', { name: '내 위치 사용' }).click();
    await b.getByRole('button', { name: '상대 찾기' }).click();

    await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
    await a.getByRole('button', { name: 'Accept' }).click();
    await b.getByRole('button', { name: '수락' }).click();
    await a.waitForURL(/\/rooms\/.+/);
    await b.waitForURL(/\/rooms\/.+/);
    const roomPath = new URL(a.url()).pathname;

    // Alice moves on: a light confirmation, then the match screen, searching.
    await a.getByRole('button', { name: 'Next', exact: true }).click();
    const dialog = a.getByRole('dialog', { name: 'Move on from Bora?' });
    await dialog.waitFor();
    await shots.shot(a, 'en next confirmation');
    await dialog.getByRole('button', { name: 'Next', exact: true }).click();
    await a.waitForURL((url) => url.pathname === '/');
    await a.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();

    // The chat is gone for Alice: her chat list is empty; she goes back to the search.
    await a.getByRole('link', { name: 'Chats', exact: true }).click();
    await a.getByText('No chats yet.').waitFor();
    await shots.shot(a, 'en the chat left with Next is gone');
    await a.getByRole('link', { name: 'Match', exact: true }).click();
    await a.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();

    // Bora is told kindly, distinct from a plain leave, and the room is closed.
    await b.getByText('상대가 새로운 만남을 찾아 떠났어요.', { exact: false }).waitFor();
    expect(await b.getByText('한 사람이 나갔어요', { exact: false }).count()).toBe(0);
    expect(await b.getByRole('button', { name: '다음 상대' }).count()).toBe(0);
    expect(await b.getByRole('button', { name: '채팅 삭제' }).isVisible()).toBe(true);
    await shots.shot(b, 'ko partner moved on');

    // Bora searches again from the same place: the two are never offered to each other again.
    await b.getByRole('link', { name: '매칭', exact: true }).click();
    await b.getByRole('button', { name: '상대 찾기' }).click();
    await b.getByRole('heading', { name: '근처에서 상대를 찾는 중…' }).waitFor();

    // Chris (over GraphQL) is a man of 33 who wants women: he fits Alice, and Bora does not fit him.
    const c = MatchPlayer.forUser(api, chris);
    players.push(c);
    const input = {
      latitude: NEARBY.latitude,
      longitude: NEARBY.longitude,
      radiusKm: 5,
      preferences: { genders: ['FEMALE'] },
    };
    ok(await gql(api.graphqlUrl, REQUEST, { input }, { token: chris.accessToken }));
    const offer = await c.next('OFFERED');
    expect(offer.partner?.id).toBe(alice.id);
    await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
    expect(await a.locator('.offer').getByText('Chris', { exact: true }).isVisible()).toBe(true);
    expect(await a.locator('.offer').getByText('Bora', { exact: true }).count()).toBe(0);
    expect(await b.getByRole('heading', { name: '근처에서 상대를 찾는 중…' }).isVisible()).toBe(true);
    await shots.shot(a, 'en offered someone new');

    // The old room's address shows Alice a not-found state, not the conversation.
    await a.goto(roomPath);
    await a.getByRole('heading', { name: 'Chat not found' }).waitFor();
    expect(await a.getByText('Bora', { exact: true }).count()).toBe(0);
    await shots.shot(a, 'en the old room is not found');

    expect(pageErrors).toEqual([]);
  }, 120_000);
});
