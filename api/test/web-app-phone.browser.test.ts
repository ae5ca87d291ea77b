import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots, type StepShots } from './utils/browser';
import { startTestServer, type TestServer } from './utils/test-server';
import { waitFor } from './utils/wait-for';

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

  /** The reset token of the reset mail to `email`, read from the dev outbox once it is there. */
  async function resetTokenFor(email: string): Promise<string> {
    let token: string | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${api.url}/dev/outbox`, { headers: { accept: 'application/json' } });
        const { mails } = (await res.json()) as { mails: { to: string; subject: string; text: string }[] };
        const mail = mails.find((m) => m.to === email && /password reset/.test(m.subject));
        token = mail && /Reset token: (\S+)/.exec(mail.text)?.[1];
        return token !== undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: `a reset mail to ${email}` },
    );
    return token!;
  }

  async function phone(locale: string, position = SEOUL): Promise<Page> {
    const context = await browser.newContext({
      baseURL: api.url,
      locale,
      geolocation: position,
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

  /** Two Korean-speaking people signed up as `names`, `near` each other at `at`, matched and in their room. */
  async function matchedInKorean(at: { latitude: number; longitude: number }, names: [string, string]) {
    const a = await phone('ko-KR', at);
    const b = await phone('ko-KR', { latitude: at.latitude + 0.004, longitude: at.longitude });
    for (const [page, name] of [
      [a, names[0]],
      [b, names[1]],
    ] as const) {
      await signUp(
        page,
        { email: '이메일', nickname: '닉네임', submit: '회원가입', welcome: `${name}님, 안녕하세요` },
        name,
      );
    }
    for (const p of [a, b]) {
      await p.getByRole('button', { name: '내 위치 사용' }).click();
      await p.getByRole('button', { name: '상대 찾기' }).click();
    }
    await a.getByRole('heading', { name: '근처에 누군가 있어요!' }).waitFor();
    await a.getByRole('button', { name: '수락' }).click();
    await b.getByRole('button', { name: '수락' }).click();
    await a.waitForURL(/\/rooms\/.+/);
    await b.waitForURL(/\/rooms\/.+/);
    return [a, b] as const;
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

  it('offers a match as "within 4 km" to someone who searched within 4 km, where the 5 km bucket used to show', async () => {
    // Exactly three 1 km grid rows north: the cell centres are 3.0-3.1 km apart (the 5 km bucket).
    const threeRowsNorth = { latitude: SEOUL.latitude + (3 * 180) / (Math.PI * 6371.0088), longitude: SEOUL.longitude };
    const a = await phone('en-US');
    const b = await phone('ko-KR', threeRowsNorth);
    await signUp(a, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi Chloe' }, 'Chloe');
    await signUp(b, { email: '이메일', nickname: '닉네임', submit: '회원가입', welcome: 'Dami님, 안녕하세요' }, 'Dami');

    await a.getByLabel('Distance in km').fill('4');
    await a.getByRole('button', { name: 'Use my location' }).click();
    await a.getByText('Location ready').waitFor();
    await a.getByRole('button', { name: 'Find someone' }).click();
    await a.getByRole('heading', { name: 'Looking for someone nearby…' }).waitFor();
    await b.getByRole('button', { name: '내 위치 사용' }).click();
    await b.getByRole('button', { name: '상대 찾기' }).click();

    await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
    await b.getByRole('heading', { name: '근처에 누군가 있어요!' }).waitFor();
    expect(
      await a
        .locator('.offer')
        .getByText(/within \d+ km/)
        .innerText(),
    ).toBe('within 4 km');
    expect(
      await b
        .locator('.offer')
        .getByText(/\d+km 이내/)
        .innerText(),
    ).toBe('4km 이내');
    await shots.shot(a, 'en offer within the chosen radius');
    await shots.shot(b, 'ko offer within the chosen radius');
  });

  it('keeps the chosen distance and location when the person leaves the Match tab and comes back, and after a reload', async () => {
    const a = await phone('en-US');
    await signUp(a, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi Erin' }, 'Erin');
    await a.getByLabel('Distance in km').fill('7');
    await a.getByRole('button', { name: 'Use my location' }).click();
    await a.getByText('Location ready').waitFor();

    await a.getByRole('link', { name: 'Chats', exact: true }).click();
    await a.getByRole('heading', { name: 'Chats' }).waitFor();
    await a.getByRole('link', { name: 'Match', exact: true }).click();
    await a.getByRole('heading', { name: 'Hi Erin' }).waitFor();
    expect(await a.getByLabel('Distance in km').inputValue()).toBe('7');
    await a.getByText('Location ready').waitFor({ timeout: 2000 });
    expect(await a.getByRole('button', { name: 'Find someone' }).isEnabled()).toBe(true);

    // After a reload the distance is remembered on the device, and the location (allowed before) is read
    // again by itself: the position itself is never stored.
    await a.reload();
    await a.getByRole('heading', { name: 'Hi Erin' }).waitFor();
    expect(await a.getByLabel('Distance in km').inputValue()).toBe('7');
    await a.getByText('Location ready').waitFor({ timeout: 5000 });
    expect(await a.evaluate('JSON.stringify(localStorage)')).not.toMatch(/37\.5|126\.9/);
    await shots.shot(a, 'en distance and location kept after a reload');
  });

  it('breaks Korean lines in a chat bubble between words, never inside one', async () => {
    const [a, b] = await matchedInKorean({ latitude: 35.1796, longitude: 129.0756 }, ['Gaon', 'Hana']);

    const text =
      '안녕하세요 오늘 날씨가 정말 좋네요 혹시 근처에서 맛있는 떡볶이집을 알고 계신가요 저는 부산에 처음 왔어요';
    await a.getByLabel('메시지', { exact: true }).fill(text);
    await a.getByLabel('메시지', { exact: true }).press('Enter');
    await b.getByText(text).waitFor();
    // Each word's boxes: a word split across two lines has boxes on two lines.
    const split = (p: Page): Promise<string[]> =>
      p.evaluate(`(() => {
        const node = [...document.querySelectorAll('.bubble .text')].find((e) => e.textContent.includes('떡볶이집'));
        const textNode = node.firstChild;
        const lines = (start, end) => {
          const range = document.createRange();
          range.setStart(textNode, start);
          range.setEnd(textNode, end);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        };
        let at = 0;
        return textNode.textContent.split(' ').filter((word) => {
          const start = at;
          at += word.length + 1;
          return lines(start, start + word.length) > 1;
        });
      })()`);
    expect(await split(b)).toEqual([]);
    expect(await split(a)).toEqual([]);
    await shots.shot(b, 'ko bubble breaks between words');
  });

  /** Both phones search from where their contexts are and accept the offer; resolves once both are in the room. */
  async function matchIntoRoom(a: Page, b: Page) {
    for (const p of [a, b]) {
      await p.getByRole('button', { name: 'Use my location' }).click();
      await p.getByRole('button', { name: 'Find someone' }).click();
    }
    await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
    await a.getByRole('button', { name: 'Accept' }).click();
    await b.getByRole('button', { name: 'Accept' }).click();
    await a.waitForURL(/\/rooms\/.+/);
    await b.waitForURL(/\/rooms\/.+/);
  }

  /**
   * Pixels between the bottom of the message list and the bottom of what it shows (0: scrolled to the
   * end), once every image in it has loaded and the layout has settled for two frames.
   */
  const belowTheFold = async (p: Page): Promise<number> => {
    await p.waitForFunction(
      `[...document.querySelectorAll('[role="log"] img')].every((i) => i.complete && i.naturalWidth > 0)`,
    );
    return p.evaluate(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
      const log = document.querySelector('[role="log"]');
      resolve(Math.round(log.scrollHeight - log.scrollTop - log.clientHeight));
    })))`);
  };

  it('fits the chat header on a 360 px phone: a 20-letter nickname is cut with an ellipsis, and Next and the menu stay whole', async () => {
    const long = 'Maximiliansebastianx';
    const [a] = await matchedInKorean({ latitude: 33.4996, longitude: 126.5312 }, ['Iseul', long]);
    await a.setViewportSize({ width: 360, height: 740 });
    await a.getByRole('heading', { name: long }).waitFor();
    const fit = await a.evaluate(`(() => {
      const head = document.querySelector('main header');
      const nick = head.querySelector('h1');
      const inside = (el) => {
        const r = el.getBoundingClientRect();
        return r.left >= 0 && r.right <= window.innerWidth && el.scrollWidth <= el.clientWidth;
      };
      return {
        overflow: head.scrollWidth - head.clientWidth,
        nextWhole: inside([...head.querySelectorAll('button')].find((b) => b.textContent.includes('다음 상대'))),
        menuWhole: inside(head.querySelector('summary')),
        nickLines: Math.round(nick.getBoundingClientRect().height / parseFloat(getComputedStyle(nick).lineHeight)),
        nickCut: nick.scrollWidth > nick.clientWidth && getComputedStyle(nick).textOverflow === 'ellipsis',
      };
    })()`);
    await shots.shot(a, 'ko 360 px header with a long nickname');
    expect(fit).toEqual({ overflow: 0, nextWhole: true, menuWhole: true, nickLines: 1, nickCut: true });
  });

  it('keeps the conversation scrolled to the end when an image arrives, after a reload and for the next message', async () => {
    const DAEGU = { latitude: 35.8714, longitude: 128.6014 };
    const a = await phone('en-US', DAEGU);
    const b = await phone('en-US', { latitude: DAEGU.latitude + 0.004, longitude: DAEGU.longitude });
    await signUp(a, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi Ivan' }, 'Ivan');
    await signUp(b, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi June' }, 'June');
    await matchIntoRoom(a, b);

    // Enough text to fill the phone's screen, so that the image lands below what was visible.
    for (let i = 1; i <= 12; i++) {
      await a.getByLabel('Message', { exact: true }).fill(`line ${i}`);
      await a.getByLabel('Message', { exact: true }).press('Enter');
    }
    await b.getByText('line 12', { exact: true }).waitFor();
    const portrait = await sharp({ create: { width: 600, height: 800, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    await a.getByLabel('Attach an image').setInputFiles({ name: 'tall.jpg', mimeType: 'image/jpeg', buffer: portrait });
    await a.getByRole('button', { name: 'Send' }).click();
    await b.locator('[role="log"] img').waitFor();
    expect(await belowTheFold(b)).toBe(0);
    expect(await belowTheFold(a)).toBe(0);
    await shots.shot(b, 'en received image scrolled into view');

    await b.reload();
    await b.locator('[role="log"] img').waitFor();
    expect(await belowTheFold(b)).toBe(0);

    await a.getByLabel('Message', { exact: true }).fill('after the image');
    await a.getByLabel('Message', { exact: true }).press('Enter');
    await b.getByText('after the image', { exact: true }).waitFor();
    expect(await belowTheFold(b)).toBe(0);
    await shots.shot(b, 'en next message below the image in view');
  });

  it('lets two people whose offer expired unanswered be matched again at once when both search again', async () => {
    // Offers that run out in 3 s (the default 30 s would make the test wait), on an API of its own.
    const quick = await startTestServer({ env: { MATCH_OFFER_TTL_SECONDS: '3' } });
    try {
      const GWANGJU = { latitude: 35.1595, longitude: 126.8526 };
      const onQuick = async (locale: string, position: typeof SEOUL) => {
        const context = await browser.newContext({
          baseURL: quick.url,
          locale,
          geolocation: position,
          permissions: ['geolocation'],
          viewport: { width: 390, height: 844 },
        });
        contexts.push(context);
        return context.newPage();
      };
      const a = await onQuick('en-US', GWANGJU);
      const b = await onQuick('ko-KR', { latitude: GWANGJU.latitude + 0.004, longitude: GWANGJU.longitude });
      await signUp(a, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi Kai' }, 'Kai');
      await signUp(
        b,
        { email: '이메일', nickname: '닉네임', submit: '회원가입', welcome: 'Lina님, 안녕하세요' },
        'Lina',
      );
      const search = async () => {
        await a.getByRole('button', { name: 'Use my location' }).click();
        await a.getByRole('button', { name: 'Find someone' }).click();
        await b.getByRole('button', { name: '내 위치 사용' }).click();
        await b.getByRole('button', { name: '상대 찾기' }).click();
      };
      await search();
      await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor();
      await b.getByRole('heading', { name: '근처에 누군가 있어요!' }).waitFor();
      await shots.shot(a, 'en offer with what a decline does');
      // Neither answers: the offer runs out on both phones.
      await a.getByText('The offer ran out of time.', { exact: false }).waitFor();
      await b.getByText('응답 시간이 지났어요.', { exact: false }).waitFor();
      await shots.shot(b, 'ko offer expired');

      await search();
      await a.getByRole('heading', { name: 'Someone is nearby!' }).waitFor({ timeout: 5000 });
      await b.getByRole('heading', { name: '근처에 누군가 있어요!' }).waitFor({ timeout: 5000 });
      expect(await a.locator('.offer').getByText('Lina', { exact: true }).isVisible()).toBe(true);
      expect(await b.locator('.offer').getByText('Kai', { exact: true }).isVisible()).toBe(true);
      await shots.shot(a, 'en offered again after an expiry');
    } finally {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await quick.close();
    }
  });

  it('tells the person on the login page that their session ended because the password was reset on another device', async () => {
    const a = await phone('en-US');
    const email = `mira${Date.now()}@example.test`;
    await a.goto('/signup');
    await a.getByLabel('Email').fill(email);
    await a.getByLabel('Password').first().fill(PASSWORD);
    await a.getByLabel('Nickname').fill('Mira');
    await a.getByRole('button', { name: 'Sign up' }).click();
    await a.getByRole('heading', { name: 'Hi Mira' }).waitFor();

    // Another device (a Korean laptop) asks for the reset link and sets a new password with it.
    const laptop = await phone('ko-KR');
    await laptop.goto('/forgot-password');
    await laptop.getByLabel('이메일').fill(email);
    await laptop.getByRole('button', { name: '링크 보내기' }).click();
    const token = await resetTokenFor(email);
    await laptop.goto(`/reset-password?token=${encodeURIComponent(token)}`);
    await laptop.locator('input[autocomplete="new-password"]').first().fill('a brand new secret');
    await laptop.getByLabel('새 비밀번호 확인').fill('a brand new secret');
    await laptop.getByRole('button', { name: '비밀번호 설정' }).click();
    await laptop.getByText('비밀번호가 바뀌었고').waitFor();

    // The phone's socket is closed (4401), its refresh refused: it lands on the login page, told why.
    await a.waitForURL(/\/login/, { timeout: 10_000 });
    await a.getByText('Your password was reset', { exact: false }).waitFor({ timeout: 5_000 });
    expect(await a.getByText('Reconnecting').count()).toBe(0);
    await shots.shot(a, 'en logged out by a password reset elsewhere');
  });

  /** Emoji characters in what the page shows (boxes where no emoji font is installed). */
  const emojiIn = (p: Page): Promise<string[]> =>
    p.evaluate(`document.body.innerText.match(/\\p{Extended_Pictographic}/gu) ?? []`);

  it('draws its icons as SVG, keeps the Chats tab current inside a room, and links the dev outbox', async () => {
    const ULSAN = { latitude: 35.5384, longitude: 129.3114 };
    const a = await phone('en-US', ULSAN);
    const b = await phone('ko-KR', { latitude: ULSAN.latitude + 0.004, longitude: ULSAN.longitude });
    await signUp(a, { email: 'Email', nickname: 'Nickname', submit: 'Sign up', welcome: 'Hi Noah' }, 'Noah');
    await signUp(b, { email: '이메일', nickname: '닉네임', submit: '회원가입', welcome: 'Ona님, 안녕하세요' }, 'Ona');
    for (const [p, locate, find] of [
      [a, 'Use my location', 'Find someone'],
      [b, '내 위치 사용', '상대 찾기'],
    ] as const) {
      await p.getByRole('button', { name: locate }).click();
      await p.getByRole('button', { name: find }).click();
    }
    await a.getByRole('button', { name: 'Accept' }).click();
    await b.getByRole('button', { name: '수락' }).click();
    await a.waitForURL(/\/rooms\/.+/);
    await b.waitForURL(/\/rooms\/.+/);

    // The attach button and the empty room's wave are SVG; the button keeps its accessible name.
    await a.getByText('Say hello!', { exact: false }).waitFor();
    expect(await a.locator('label.attach svg').count()).toBe(1);
    expect(await a.locator('.hello svg').count()).toBe(1);
    expect(await a.getByLabel('Attach an image').count()).toBe(1);
    expect(await b.getByLabel('이미지 첨부').count()).toBe(1);
    expect(await emojiIn(a)).toEqual([]);
    expect(await emojiIn(b)).toEqual([]);
    // Inside the room the Chats tab is the current one.
    expect(await a.getByRole('link', { name: 'Chats', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await b.getByRole('link', { name: '채팅', exact: true }).getAttribute('aria-current')).toBe('page');
    await shots.shot(a, 'en room with svg icons and the chats tab current');

    // The reset link in the dev outbox is a link (its host is PUBLIC_URL's: followed here on the test server).
    const email = `pia${Date.now()}@example.test`;
    const c = await phone('en-US');
    await c.goto('/signup');
    await c.getByLabel('Email').fill(email);
    await c.getByLabel('Password').first().fill(PASSWORD);
    await c.getByLabel('Nickname').fill('Pia');
    await c.getByRole('button', { name: 'Sign up' }).click();
    await c.getByRole('heading', { name: 'Hi Pia' }).waitFor();
    const d = await phone('en-US');
    await d.goto('/forgot-password');
    await d.getByLabel('Email').fill(email);
    await d.getByRole('button', { name: 'Send the link' }).click();
    await resetTokenFor(email);
    await d.goto('/dev/outbox');
    const link = d.getByRole('link', { name: /\/reset-password\?token=/ }).first();
    const href = await link.getAttribute('href', { timeout: 5_000 });
    expect(href).toMatch(/\/reset-password\?token=\S+$/);
    const target = new URL(href!);
    await d.goto(target.pathname + target.search);
    await d.getByRole('heading', { name: 'Set a new password' }).waitFor();
  });
});
