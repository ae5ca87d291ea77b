import type { Browser, BrowserContext, Page } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots, type StepShots } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';

const PASSWORD = 'correct horse battery';
const SEOUL = { latitude: 37.5665, longitude: 126.978 };

/** Issue M's findings on a phone-sized screen (390×844), each checked where a person would see it. */
describeWithBrowser('the web app on a 390×844 phone', () => {
  let api: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let shots: StepShots;

  beforeAll(async () => {
    api = await startTestServer();
    browser = await launchChromium();
    shots = stepShots(`web-app-phone-${backendKind()}`);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await api?.close();
  });

  async function phone(locale: string): Promise<Page> {
    const context = await browser.newContext({
      baseURL: api.url,
      locale,
      geolocation: SEOUL,
      permissions: ['geolocation'],
      viewport: { width: 390, height: 844 },
    });
    contexts.push(context);
    return context.newPage();
  }

  /** Signs up through the form (labels in `locale`'s language) and waits for the home screen. */
  async function signUp(
    page: Page,
    labels: { email: string; nickname: string; submit: string; welcome: string },
    name: string,
  ) {
    await page.goto('/signup');
    await page.getByLabel(labels.email).fill(`${name.toLowerCase()}${Date.now()}@example.test`);
    await page
      .getByLabel(/Password|비밀번호/)
      .first()
      .fill(PASSWORD);
    await page.getByLabel(labels.nickname).fill(name);
    await page.getByRole('button', { name: labels.submit }).click();
    await page.getByRole('heading', { name: labels.welcome }).waitFor();
  }

  /**
   * How far each language button sticks out of what the header shows of it, in pixels (0: whole).
   * (A string: the API's tsconfig has no DOM types.)
   */
  const clippedPx = (page: Page): Promise<number[]> =>
    page.evaluate(`(() => {
      const group = document.querySelector('header [role="group"]');
      const header = document.querySelector('header').getBoundingClientRect();
      const box = group.getBoundingClientRect();
      const left = Math.max(box.left, header.left, 0);
      const right = Math.min(box.right, header.right, window.innerWidth);
      return [...group.querySelectorAll('button')].map((b) => {
        const r = b.getBoundingClientRect();
        return Math.round(Math.max(0, left - r.left, r.right - right, group.scrollWidth - group.clientWidth));
      });
    })()`);

  it('shows both language buttons whole in the header, signed out and signed in, in English and Korean', async () => {
    const en = await phone('en-US');
    await en.goto('/login');
    expect(await clippedPx(en)).toEqual([0, 0]);
    await signUp(en, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi Alice' }, 'Alice');
    expect(await clippedPx(en)).toEqual([0, 0]);
    await shots.shot(en, 'en header signed in');

    const ko = await phone('ko-KR');
    await signUp(
      ko,
      { email: '이메일', nickname: '닉네임', submit: '회원가입', welcome: 'Bora님, 안녕하세요' },
      'Bora',
    );
    expect(await clippedPx(ko)).toEqual([0, 0]);
    await shots.shot(ko, 'ko header signed in');
  });
});
