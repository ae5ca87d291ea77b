import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type IntrospectionQuery } from 'graphql';
import type { Browser, Locator, Page } from 'playwright-core';
import { backendKind } from './utils/backend';
import { describeWithBrowser, launchChromium, stepShots, type StepShots } from './utils/browser';
import { gql } from './utils/graphql';
import { readCounter } from './utils/metrics';
import { ok } from './utils/ok';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser, type TestUser } from './utils/users';
import { waitFor } from './utils/wait-for';

const PLAYGROUND_HTML = path.resolve(__dirname, '../../web/dist/playground.html');
const REQUEST_MATCH = `mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state } }`;

/** A CodeMirror 5 editor of GraphiQL, read and written as its user would (select all, type). */
function editor(page: Page, root: Locator) {
  const codeMirror = root.locator('.CodeMirror').first();
  return {
    async fill(text: string) {
      await codeMirror.click();
      await page.keyboard.press('Control+A');
      // insertText types the text as one input, so auto-closed brackets are not doubled.
      await page.keyboard.insertText(text);
    },
    value: () =>
      codeMirror.evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()),
  };
}

describeWithBrowser('the GraphQL playground at /playground, in Chromium', () => {
  let api: TestServer;
  let browser: Browser;
  let page: Page;
  let user: TestUser;
  /** The access token the test got by running logIn in the playground. */
  let token: string;
  let shots: StepShots;
  /** Errors thrown in the page, and requests that tried to leave the API's origin (none may). */
  const pageErrors: string[] = [];
  const offOrigin: string[] = [];
  /** connection_init payloads the page sent over graphql-ws. */
  const connectionInits: unknown[] = [];

  const query = () => editor(page, page.locator('.graphiql-query-editor'));
  const headers = () => editor(page, page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)'));
  const result = () => editor(page, page.locator('.graphiql-response'));
  const run = () => page.locator('.graphiql-execute-button').click();
  const openSockets = () => readCounter(api.url, 'ws_open_sockets');

  /**
   * Types a named operation and waits until GraphiQL has parsed it (it names the tab after the
   * operation): Run acts on the last parsed document, which lags the text by a debounce.
   */
  async function typeOperation(text: string) {
    const name = /^(?:query|mutation|subscription) (\w+)/.exec(text)?.[1];
    if (!name) throw new Error(`typeOperation needs a named operation, got: ${text}`);
    await query().fill(text);
    await page.locator('.graphiql-tab-active').getByText(name, { exact: true }).waitFor();
  }

  /** Waits until the result pane holds JSON satisfying `predicate`; fails with what it showed. */
  async function resultMatching(predicate: (json: any) => boolean, timeoutMs = 10_000) {
    let shown = '';
    await waitFor(
      async () => {
        shown = await result().value();
        try {
          return predicate(JSON.parse(shown));
        } catch {
          return false;
        }
      },
      { timeoutMs, message: `the expected result (the pane showed ${JSON.stringify(shown)})` },
    );
    return JSON.parse(shown);
  }

  beforeAll(async () => {
    if (!existsSync(PLAYGROUND_HTML))
      throw new Error(`${PLAYGROUND_HTML} is missing: run "npm run build -w web" first (npm test does)`);
    browser = await launchChromium();
    api = await startTestServer();
    user = await signUpUser(api.graphqlUrl, { nickname: 'Playwright' });
    shots = stepShots(`playground-${backendKind()}`);
    const context = await browser.newContext({ baseURL: api.url, viewport: { width: 1280, height: 800 } });
    // The playground must work offline: anything it fetches from elsewhere is refused and recorded.
    await context.route(
      (url) => url.origin !== new URL(api.url).origin,
      (route) => {
        offOrigin.push(route.request().url());
        return route.abort();
      },
    );
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload?: unknown };
        if (message.type === 'connection_init') connectionInits.push(message.payload);
      }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('loads GraphiQL and its schema with nothing fetched from outside the API', async () => {
    const introspected = page.waitForResponse(
      (res) => res.url().endsWith('/graphql') && /IntrospectionQuery/.test(res.request().postData() ?? ''),
    );
    await page.goto('/playground');
    expect((await introspected).status()).toBe(200);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    // The how-to's operations stay valid as the schema evolves.
    const introspection = ok(await gql<IntrospectionQuery>(api.graphqlUrl, getIntrospectionQuery()));
    const howTo = await query().value();
    expect(howTo).toMatch(/logIn\(/);
    expect(validate(buildClientSchema(introspection), parse(howTo)).map((e) => e.message)).toEqual([]);
    expect(await headers().value()).toContain('"Authorization": "Bearer <token>"');
    await shots.shot(page, 'loaded with the how-to and the header hint');
    expect(offOrigin).toEqual([]);
  });

  it('logs in as the how-to says, then runs a query with that token from the header editor', async () => {
    await typeOperation(
      `mutation LogInAsTester { logIn(input: { email: "${user.email}", password: "${user.password}" }) { accessToken } }`,
    );
    await run();
    const { data } = await resultMatching((json) => typeof json.data?.logIn?.accessToken === 'string');
    token = data.logIn.accessToken;
    await shots.shot(page, 'logged in');

    await typeOperation('query Me { me { nickname } }');
    await headers().fill(JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2));
    await shots.shot(page, 'query and authorization header typed');
    await run();
    const shown = await resultMatching((json) => json.data?.me?.nickname === 'Playwright');
    expect(shown).toEqual({ data: { me: { nickname: 'Playwright' } } });
    await shots.shot(page, 'query result');
  });

  it('runs a subscription over graphql-ws with the same token in connection_init and shows its events', async () => {
    await typeOperation('subscription Offers { matchEvents { type distanceKm partner { nickname } } }');
    await run();
    await waitFor(async () => (await openSockets()) === 1, {
      message: 'the playground to open an authenticated socket',
    });
    expect(connectionInits).toEqual([{ authorization: `Bearer ${token}` }]);
    await shots.shot(page, 'subscription open');

    // Two users in the same spot: both are offered to each other (the subscription also opens with a
    // pending offer, so the event shows even if it was published before the server subscribed).
    const partner = await signUpUser(api.graphqlUrl, { nickname: 'Partner' });
    const input = { latitude: 37.5665, longitude: 126.978, radiusKm: 5 };
    ok(await gql(api.graphqlUrl, REQUEST_MATCH, { input }, { token }));
    ok(await gql(api.graphqlUrl, REQUEST_MATCH, { input }, { token: partner.accessToken }));
    const shown = await resultMatching((json) => json.data?.matchEvents?.type === 'OFFERED');
    expect(shown).toEqual({
      data: { matchEvents: { type: 'OFFERED', distanceKm: 1, partner: { nickname: 'Partner' } } },
    });
    await shots.shot(page, 'subscription event received');

    await run(); // the execute button stops a running subscription
    await waitFor(async () => (await openSockets()) === 0, {
      message: 'the socket to close once the subscription stops',
    });
  });

  it('shows a refused token at once, as the 4403 close of the socket', async () => {
    await headers().fill('{ "Authorization": "Bearer not-a-token" }');
    await run();
    await waitFor(async () => /4403/.test(await result().value()), { message: 'the 4403 close in the result pane' });
    expect(connectionInits.at(-1)).toEqual({ authorization: 'Bearer not-a-token' });
    await shots.shot(page, 'refused token');
    expect(pageErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
  });
});
