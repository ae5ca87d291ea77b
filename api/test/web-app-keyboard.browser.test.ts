import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { describeWithBrowser, launchChromium } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';
import { waitFor } from './utils/wait-for';

const PASSWORD = 'correct horse battery';
const SEOUL = { latitude: 37.5665, longitude: 126.978 };
/** About 400 m north of SEOUL: inside both users' radius. */
const NEARBY = { latitude: 37.57, longitude: 126.978 };
/** Short enough that the countdown's 20 s announcement comes within the test, long enough to answer. */
const OFFER_TTL_SECONDS = 24;

/**
 * Sign-up -> match -> chat by keyboard alone (Tab to reach each control, typing, Enter), while the
 * other person uses the pointer; the offer card takes the focus when it appears and its countdown
 * is announced in a polite live region.
 */
describeWithBrowser('the web app by keyboard alone', () => {
  let api: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    api = await startTestServer({ env: { MATCH_OFFER_TTL_SECONDS: String(OFFER_TTL_SECONDS) } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await api?.close();
  });

  async function phone(position: { latitude: number; longitude: number }): Promise<Page> {
    const context = await browser.newContext({
      baseURL: api.url,
      locale: 'en-US',
      geolocation: position,
      permissions: ['geolocation'],
      viewport: { width: 390, height: 844 },
    });
    contexts.push(context);
    return context.newPage();
  }

  const isFocused = (target: Locator) => target.evaluate((el) => el === el.ownerDocument.activeElement);
  /** Presses Tab until `target` has the focus (at most 40 times): it is reachable by keyboard. */
  async function tabTo(page: Page, target: Locator) {
    await target.waitFor();
    for (let presses = 0; presses < 40; presses++) {
      if (await isFocused(target)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`not reachable with Tab: ${String(target)}`);
  }

  it('signs up, finds someone, accepts and sends a message without a pointer', async () => {
    const a = await phone(SEOUL);
    const b = await phone(NEARBY);
    const stamp = Date.now();

    await a.goto('/signup');
    await tabTo(a, a.getByLabel('Email'));
    await a.keyboard.type(`keys${stamp}@example.test`);
    await tabTo(a, a.getByLabel('Password').first());
    await a.keyboard.type(PASSWORD);
    await tabTo(a, a.getByLabel('Nickname'));
    await a.keyboard.type('Kim');
    await tabTo(a, a.getByRole('button', { name: 'Sign up' }));
    await a.keyboard.press('Enter');
    await a.getByRole('heading', { name: 'Hi Kim' }).waitFor();

    await tabTo(a, a.getByRole('button', { name: 'Use my location' }));
    await a.keyboard.press('Enter');
    await a.getByText('Location ready').waitFor();
    await tabTo(a, a.getByRole('button', { name: 'Find someone' }));
    await a.keyboard.press('Enter');
    await a.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();

    // The other person, with the pointer.
    await b.goto('/signup');
    await b.getByLabel('Email').fill(`pointer${stamp}@example.test`);
    await b.getByLabel('Password').first().fill(PASSWORD);
    await b.getByLabel('Nickname').fill('Lee');
    await b.getByRole('button', { name: 'Sign up' }).click();
    await b.getByRole('heading', { name: 'Hi Lee' }).waitFor();
    await b.getByRole('button', { name: 'Use my location' }).click();
    await b.getByRole('button', { name: 'Find someone' }).click();

    // The offer card takes the focus; its countdown is announced politely, now and at 20 s left.
    const card = a.getByRole('article', { name: 'Someone is nearby!' });
    await card.waitFor();
    await waitFor(() => isFocused(card), { message: 'the offer card to have the focus' });
    const announcement = a.getByTestId('offer-countdown-announcement');
    expect(await announcement.getAttribute('aria-live')).toBe('polite');
    expect(await announcement.innerText()).toMatch(/^2[0-4] s left to answer$/);
    await waitFor(async () => (await announcement.innerText()) === '20 s left to answer', {
      timeoutMs: 8000,
      message: 'the 20 s announcement',
    });

    await tabTo(a, a.getByRole('button', { name: 'Accept' }));
    await a.keyboard.press('Enter');
    await b.getByRole('button', { name: 'Accept' }).click();
    await a.waitForURL(/\/rooms\/.+/);

    await tabTo(a, a.getByLabel('Message', { exact: true }));
    await a.keyboard.type('typed without a mouse');
    await a.keyboard.press('Enter');
    await b.getByText('typed without a mouse').waitFor();
  }, 60_000);
});
