import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's `chromium` from apt (.ci/run installs it); tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** STACK.md's flags: headless, no sandbox (CI runs as root), no GPU, no background network or updates. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const ARTIFACTS_DIR = path.resolve(__dirname, '../../../test-artifacts');

const ci = process.env.CI === 'true' || process.env.CI === '1';

/**
 * `describe` for tests that drive the browser. Without Chromium the block is skipped with one line
 * on stderr, except under CI=true, where it fails with what to install.
 */
export function describeWithBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM_PATH)) return describe(name, fn);
  const missing = `no Chromium at ${CHROMIUM_PATH} (install it with: apt-get install -y chromium)`;
  if (ci) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${missing}; CI=true runs the browser tests, so they fail instead of skipping`);
      });
    });
    return;
  }
  process.stderr.write(`Skipped "${name}": ${missing}\n`);
  describe.skip(name, fn);
}

/** Chromium, headless, with a fresh throwaway profile (Playwright's temporary user-data dir). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Chromium with a regular (not incognito) profile in a fresh temporary directory, as one context:
 * what an installed app needs (Chromium reports `in-incognito` for the contexts of `newContext`).
 * `close()` closes the browser and removes the directory.
 */
export async function launchChromiumProfile(
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'randchat-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      // The browser may still be flushing the profile for a moment after closing.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export interface StepShots {
  /** `<repo>/test-artifacts/<test name>` */
  dir: string;
  /** Saves the page as `NN-<step>.png` (NN counts from 01) and resolves with the file's path. */
  shot(page: Page, step: string): Promise<string>;
}

/** Numbered screenshots of a test's steps, in a folder emptied first so that no stale step remains. */
export function stepShots(testName: string): StepShots {
  const dir = path.join(ARTIFACTS_DIR, slug(testName));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let step = 0;
  return {
    dir,
    async shot(page, name) {
      step += 1;
      const file = path.join(dir, `${String(step).padStart(2, '0')}-${slug(name)}.png`);
      await page.screenshot({ path: file });
      return file;
    },
  };
}

/** Logs in through the web app's login page and waits until it has left it. */
export async function logIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: false }).first().fill(user.password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}
