import type { Browser, BrowserContext, Page } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots, type StepShots } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';

const PASSWORD = 'correct horse battery';
const SEOUL = { latitude: 37.5665, longitude: 126.978 };
/** About 400 m north of SEOUL: inside both users' radius. */
const NEARBY = { latitude: 37.57, longitude: 126.978 };

/**
 * The product as people use it: two phones (one in English, one in Korean) with different
 * positions sign up (told what is kept), match, chat both ways, see typing and unread badges,
 * survive a dropped connection, and one leaves: the chat is gone for them, the other reads it
 * closed and deletes it. Every step leaves a screenshot in test-artifacts/.
 */
describeWithBrowser('the web app in Chromium: two people from sign-up to a closed chat', () => {
  let api: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let shots: StepShots;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    api = await startTestServer();
    browser = await launchChromium();
    shots = stepShots(`web-app-${backendKind()}`);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await api?.close();
  });

  async function phone(
    locale: string,
    position: { latitude: number; longitude: number },
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      baseURL: api.url,
      locale,
      geolocation: position,
      permissions: ['geolocation'],
      viewport: { width: 390, height: 800 },
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${locale}: ${e.message}`));
    return { context, page };
  }

  it('signs up, matches, chats both ways with typing and unread badges, recovers from going offline, and sees the peer leave', async () => {
    const stamp = Date.now();
    const { context: ca, page: a } = await phone('en-US', SEOUL);
    const { page: b } = await phone('ko-KR', NEARBY);
    // B stays online throughout: its chat messages go over its authenticated WebSocket, not HTTP.
    const sendsOf = { http: 0, socket: 0 };
    b.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/graphql') && r.postData()?.includes('SendMessage'))
        sendsOf.http++;
    });
    b.on('websocket', (socket) =>
      socket.on('framesent', (frame) => {
        if (String(frame.payload).includes('mutation SendMessage')) sendsOf.socket++;
      }),
    );

    await a.goto('/signup');
    // What is kept, before anyone signs up: gone for who leaves, sealed for 90 days, the profile erased at once.
    const notice = a.getByTestId('evidence-notice');
    for (const words of [
      'A chat you leave (also with Next, a block or by deleting your account) disappears for you at once',
      'sealed for 90 days in case someone reports it',
      'Deleting your account erases your profile at once.',
    ])
      await notice.getByText(words, { exact: false }).waitFor();
    await a.getByLabel('Email').fill(`a${stamp}@example.test`);
    await a.getByLabel('Password', { exact: false }).first().fill(PASSWORD);
    await a.getByLabel('Nickname').fill('Alice');
    await a.getByLabel('Birth year (optional)').fill('1995');
    await a.getByRole('button', { name: 'Sign up' }).click();
    await a.getByRole('heading', { name: 'Hi Alice' }).waitFor();
    await shots.shot(a, 'a signed up');

    await b.goto('/signup');
    for (const words of [
      '내가 나간 대화(다음 상대, 차단, 계정 삭제 포함)는 내 목록에서 바로 사라지고',
      '90일 동안 봉인해 보관해요',
      '계정을 삭제하면 프로필은 바로 지워져요.',
    ])
      await b.getByTestId('evidence-notice').getByText(words, { exact: false }).waitFor();
    await b.getByLabel('이메일').fill(`b${stamp}@example.test`);
    await b.getByLabel('비밀번호').fill(PASSWORD);
    await b.getByLabel('닉네임').fill('Bora');
    await b.getByRole('button', { name: '회원가입' }).click();
    await b.getByRole('heading', { name: 'Bora님, 안녕하세요' }).waitFor();
    await shots.shot(b, 'b signed up in Korean');

    // A reload keeps the session (refresh cookie), and no token is kept in localStorage.
    await a.reload();
    await a.getByRole('heading', { name: 'Hi Alice' }).waitFor();
    // (A string: the API's tsconfig has no DOM types.) Keys named like a token, or values that look like a JWT.
    expect(
      await a.evaluate(
        `Object.keys(localStorage).filter((k) => /token/i.test(k) || /^ey/.test(localStorage.getItem(k) || ''))`,
      ),
    ).toEqual([]);

    await a.getByRole('button', { name: 'Use my location' }).click();
    await a.getByText('Location ready').waitFor();
    await a.getByRole('button', { name: 'Find someone' }).click();
    await a.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();
    await shots.shot(a, 'a searching');
    await b.getByRole('button', { name: '내 위치 사용' }).click();
    await b.getByRole('button', { name: '상대 찾기' }).click();

    await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
    await b.getByRole('heading', { name: '근처에 누군가 있어요!' }).waitFor();
    await shots.shot(a, 'a offered');
    await shots.shot(b, 'b offered');
    await a.getByRole('button', { name: 'Accept' }).click();
    await b.getByText('상대가 수락했어요!').waitFor();
    await b.getByRole('button', { name: '수락' }).click();
    await a.waitForURL(/\/rooms\/.+/);
    await b.waitForURL(/\/rooms\/.+/);
    await shots.shot(a, 'a in the room');

    await a.getByLabel('Message', { exact: true }).fill('hello from A');
    await a.getByRole('button', { name: 'Send' }).click();
    await b.getByText('hello from A').waitFor();
    await a.getByText('Seen').waitFor();
    await b.getByLabel('메시지', { exact: true }).pressSequentially('hi A', { delay: 40 });
    await a.getByText('Bora is typing…').first().waitFor();
    await shots.shot(a, 'a sees b typing');
    await b.getByLabel('메시지', { exact: true }).press('Enter');
    await a.getByText('hi A').waitFor();
    await shots.shot(b, 'b chat both ways');

    await a.getByRole('link', { name: 'Chats', exact: true }).click();
    await a.getByRole('heading', { name: 'Chats' }).waitFor();
    await b.getByLabel('메시지', { exact: true }).fill('are you there?');
    await b.getByLabel('메시지', { exact: true }).press('Enter');
    await a.locator('.item .badge').first().waitFor();
    expect(await a.locator('.item .badge').first().innerText()).toBe('1');
    await shots.shot(a, 'a unread badge');
    await a.locator('.item').first().click();
    await a.getByText('are you there?').waitFor();

    // A's connection drops while B keeps writing; back online, A catches up without gaps or doubles.
    await ca.setOffline(true);
    for (const text of ['while you were away 1', 'while you were away 2']) {
      await b.getByLabel('메시지', { exact: true }).fill(text);
      await b.getByLabel('메시지', { exact: true }).press('Enter');
      await b.getByText(text).waitFor();
    }
    await ca.setOffline(false);
    await a.getByText('while you were away 2').waitFor({ timeout: 40_000 });
    expect(sendsOf).toEqual({ http: 0, socket: 4 });
    expect(await a.locator('.bubble .text').allInnerTexts()).toEqual([
      'hello from A',
      'hi A',
      'are you there?',
      'while you were away 1',
      'while you were away 2',
    ]);
    await shots.shot(a, 'a caught up after reconnecting');

    const roomPath = new URL(b.url()).pathname;
    await b.getByLabel('채팅 메뉴').click();
    await b.getByRole('button', { name: '나가기' }).click();
    const leaving = b.getByRole('dialog');
    await leaving.getByText('내 채팅 목록에서 사라져요', { exact: false }).waitFor();
    await leaving.getByRole('button', { name: '나가기' }).click();
    // Gone for B: back on the (empty) chat list, and the room's address is a not-found page.
    await b.waitForURL((url) => url.pathname === '/rooms');
    await b.getByText('아직 채팅이 없어요.').waitFor();
    await shots.shot(b, 'b left: the chat is gone');
    await b.goto(roomPath);
    await b.getByRole('heading', { name: '채팅을 찾을 수 없어요' }).waitFor();
    expect(await b.getByText('hi A').count()).toBe(0);
    await shots.shot(b, 'b cannot open the chat it left');

    // A still reads it, closed, and deletes it.
    await a.getByText('This chat is closed: one of you left. You can read it until you delete it.').waitFor();
    expect(await a.getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
    expect(await a.locator('.bubble .text').allInnerTexts()).toContain('hi A');
    await shots.shot(a, 'a sees b left');
    await a.getByRole('button', { name: 'Delete chat' }).click();
    await a
      .getByRole('dialog', { name: 'Delete the chat with Bora?' })
      .getByRole('button', { name: 'Delete chat' })
      .click();
    await a.waitForURL((url) => url.pathname === '/rooms');
    await a.getByText('No chats yet.').waitFor();
    await a.goto(roomPath);
    await a.getByRole('heading', { name: 'Chat not found' }).waitFor();
    await shots.shot(a, 'a deleted the closed chat');
    expect(pageErrors).toEqual([]);
  });
});
