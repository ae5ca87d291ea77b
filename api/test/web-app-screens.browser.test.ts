import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';

const PASSWORD = 'correct horse battery';
const SEOUL = { latitude: 37.5665, longitude: 126.978 };
/** About 400 m north of SEOUL: inside both users' radius. */
const NEARBY = { latitude: 37.57, longitude: 126.978 };
/** axe-core's build for browsers (it runs in the page: nothing leaves the machine). */
const AXE = require.resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Both languages' words for what the tour clicks and waits for. */
const UI = {
  en: {
    locale: 'en-US',
    email: 'Email',
    password: 'Password',
    nickname: 'Nickname',
    signUp: 'Sign up',
    hi: (name: string) => `Hi ${name}`,
    useLocation: 'Use my location',
    find: 'Find someone',
    searching: 'Looking for someone nearby…',
    offered: 'Someone is nearby!',
    accept: 'Accept',
    message: 'Message',
    send: 'Send',
    chats: 'Chats',
  },
  ko: {
    locale: 'ko-KR',
    email: '이메일',
    password: '비밀번호',
    nickname: '닉네임',
    signUp: '회원가입',
    hi: (name: string) => `${name}님, 안녕하세요`,
    useLocation: '내 위치 사용',
    find: '상대 찾기',
    searching: '근처에서 상대를 찾는 중…',
    offered: '근처에 누군가 있어요!',
    accept: '수락',
    message: '메시지',
    send: '보내기',
    chats: '채팅',
  },
} as const;
type Lang = keyof typeof UI;

/**
 * Every screen of the web app at 390×844, in English and in Korean: a screenshot of each under
 * test-artifacts/screens/<lang>/, and axe-core (WCAG 2 A and AA rules and best practices) on each,
 * with no serious or critical violation allowed. Two people tour it side by side, one per
 * language, from the signed-out pages to a chat.
 */
describeWithBrowser('every screen of the web app, in English and Korean: screenshots and axe-core', () => {
  let api: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const found: { lang: Lang; screen: string; violations: Violation[] }[] = [];
  const dir = path.resolve(__dirname, '../../test-artifacts/screens');

  beforeAll(async () => {
    api = await startTestServer();
    browser = await launchChromium();
    rmSync(dir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await api?.close();
  });

  async function phone(lang: Lang, position: { latitude: number; longitude: number }) {
    const context = await browser.newContext({
      baseURL: api.url,
      locale: UI[lang].locale,
      geolocation: position,
      permissions: ['geolocation'],
      viewport: { width: 390, height: 844 },
    });
    contexts.push(context);
    return context.newPage();
  }

  let step = 0;
  /** Screenshot and axe-core of what `page` shows now, recorded as `screen` in `lang`. */
  async function check(page: Page, lang: Lang, screen: string) {
    await page.waitForLoadState('networkidle');
    // Transitions and finite animations finish before the picture and the contrast checks (a
    // spinner's endless one never does).
    await page.evaluate(
      'Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished))',
    );
    mkdirSync(path.join(dir, lang), { recursive: true });
    await page.screenshot({ path: path.join(dir, lang, `${String(++step).padStart(2, '0')}-${screen}.png`) });
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
    )) as Violation[];
    found.push({ lang, screen, violations });
  }
  const both = (pages: Record<Lang, Page>, screen: string) =>
    Promise.all((Object.keys(pages) as Lang[]).map((lang) => check(pages[lang], lang, screen)));

  it('passes axe-core with no serious or critical violation on every screen, and leaves a screenshot of each', async () => {
    const pages = { en: await phone('en', SEOUL), ko: await phone('ko', NEARBY) };
    const langs = Object.keys(pages) as Lang[];
    const names = { en: 'Alice', ko: 'Bora' };

    for (const [route, screen] of [
      ['/login', 'log-in'],
      ['/signup', 'sign-up'],
      ['/forgot-password', 'forgot-password'],
      ['/reset-password?token=not-a-real-token', 'reset-password'],
      ['/unlock', 'unlock'],
      ['/no-such-page', 'not-found'],
    ] as const) {
      for (const lang of langs) await pages[lang].goto(route);
      await both(pages, screen);
    }

    for (const lang of langs) {
      const [page, ui] = [pages[lang], UI[lang]];
      await page.goto('/signup');
      await page.getByLabel(ui.email).fill(`${names[lang].toLowerCase()}${Date.now()}@example.test`);
      await page.getByLabel(ui.password).first().fill(PASSWORD);
      await page.getByLabel(ui.nickname).fill(names[lang]);
      await page.getByRole('button', { name: ui.signUp }).click();
      await page.getByRole('heading', { name: ui.hi(names[lang]) }).waitFor();
    }
    await both(pages, 'match');
    for (const lang of langs) {
      await pages[lang].getByRole('button', { name: UI[lang].useLocation }).click();
      await pages[lang].getByRole('button', { name: UI[lang].find }).click();
      if (lang === 'en') await pages.en.getByRole('heading', { name: UI.en.searching }).waitFor();
      if (lang === 'en') await check(pages.en, 'en', 'match-searching');
    }
    for (const lang of langs) await pages[lang].getByRole('heading', { name: UI[lang].offered }).waitFor();
    await both(pages, 'match-offer');
    for (const lang of langs) await pages[lang].getByRole('button', { name: UI[lang].accept }).click();
    for (const lang of langs) await pages[lang].waitForURL(/\/rooms\/.+/);
    for (const lang of langs) {
      await pages[lang].getByLabel(UI[lang].message, { exact: true }).fill(`hello from ${names[lang]}`);
      await pages[lang].getByRole('button', { name: UI[lang].send }).click();
    }
    for (const lang of langs)
      await pages[lang].getByText(`hello from ${lang === 'en' ? names.ko : names.en}`).waitFor();
    await both(pages, 'chat');
    for (const lang of langs) {
      await pages[lang].getByRole('link', { name: UI[lang].chats, exact: true }).click();
      await pages[lang].getByRole('heading', { name: UI[lang].chats }).waitFor();
    }
    await both(pages, 'chats');
    for (const lang of langs) await pages[lang].goto('/account');
    await both(pages, 'account');

    const serious = found.flatMap(({ lang, screen, violations }) =>
      violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${lang} ${screen}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        ),
    );
    const minor = found.flatMap(({ lang, screen, violations }) =>
      violations
        .filter((v) => v.impact !== 'serious' && v.impact !== 'critical')
        .map((v) => `${lang} ${screen}: ${v.id}`),
    );
    if (minor.length > 0) console.info(`axe-core, moderate or minor (${backendKind()}):\n${minor.join('\n')}`);
    expect(serious).toEqual([]);
    // Eleven screens in each language, and the search in progress once.
    expect(found.length).toBe(2 * 11 + 1);
  }, 90_000);
});
