import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestBackend, type TestBackend } from './utils/backend';
import { startTestServer, type TestServer } from './utils/test-server';

/** A stand-in for web/dist, so that these tests do not depend on the web build. */
function fakeWebDist(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'randchat-web-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(dir, 'playground.html'), '<!doctype html><title>playground</title>');
  return dir;
}

describe('GET /playground', () => {
  let backend: TestBackend;
  let webDist: string;
  let enabled: TestServer;
  let disabled: TestServer;

  beforeAll(async () => {
    backend = await createTestBackend();
    webDist = fakeWebDist();
    // One backend for both instances: only the flag differs.
    enabled = await startTestServer({ backend, env: { WEB_DIST_DIR: webDist } });
    disabled = await startTestServer({ backend, env: { WEB_DIST_DIR: webDist, GRAPHQL_PLAYGROUND: 'false' } });
  });

  afterAll(async () => {
    await Promise.all([enabled?.close(), disabled?.close()]);
    await backend?.cleanup();
    rmSync(webDist, { recursive: true, force: true });
  });

  it('serves the built playground page by default, not the web app', async () => {
    const res = await fetch(`${enabled.url}/playground`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<title>playground</title>');
  });

  it.each(['/playground', '/playground.html'])(
    'answers %s with a coded 404 when GRAPHQL_PLAYGROUND=false',
    async (route) => {
      const res = await fetch(`${disabled.url}${route}`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('NOT_FOUND');
      expect(body.errors[0]!.message).toMatch(/GRAPHQL_PLAYGROUND/);
    },
  );

  it('still serves the web app when the playground is off', async () => {
    const res = await fetch(`${disabled.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>app</title>');
  });
});
