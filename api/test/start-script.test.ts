import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const START = path.resolve(__dirname, '../../scripts/start.mjs');

/**
 * `npm start`'s build check (scripts/start.mjs) on a throwaway tree shaped like the repository: the
 * files' modification times decide, and `--dry-run` says what would be built without building.
 */
describe('npm start: building only what is out of date', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'randchat-start-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Writes a file whose modification time is `at` (seconds since the epoch). */
  const file = (relative: string, at: number) => {
    const target = path.join(root, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, relative);
    utimesSync(target, at, at);
  };
  const dryRun = () => {
    const result = spawnSync(process.execPath, [START, '--dry-run'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    return result.stdout.trim();
  };
  const SOURCES = 1_700_000_000;
  const BUILT = SOURCES + 60;

  it('builds nothing when both builds are newer than their sources', () => {
    file('package-lock.json', SOURCES);
    file('web/src/main.ts', SOURCES);
    file('web/index.html', SOURCES);
    file('api/src/main.ts', SOURCES);
    file('web/dist/index.html', BUILT);
    file('web/dist/assets/index.js', BUILT);
    file('api/dist/main.js', BUILT);
    expect(dryRun()).toBe('up to date: nothing to build');
  });

  it('builds only the workspace whose source changed after its build', () => {
    file('web/src/main.ts', SOURCES);
    file('web/dist/index.html', BUILT);
    file('api/src/modules/chat/message.service.ts', BUILT + 1);
    file('api/dist/main.js', BUILT);
    expect(dryRun()).toBe('would build: api');
  });

  it('builds a workspace that has no build yet (a fresh clone), and both after a dependency change', () => {
    file('web/src/main.ts', SOURCES);
    file('api/src/main.ts', SOURCES);
    file('api/dist/main.js', BUILT);
    expect(dryRun()).toBe('would build: web');
    file('web/dist/index.html', BUILT);
    file('package-lock.json', BUILT + 1);
    expect(dryRun()).toBe('would build: web, api');
  });

  it('rebuilds when any output file is older than a source (a build that stopped half-way)', () => {
    file('api/src/main.ts', SOURCES + 30);
    file('api/dist/main.js', BUILT);
    file('api/dist/server.js', SOURCES);
    file('web/src/main.ts', SOURCES);
    file('web/dist/index.html', BUILT);
    expect(dryRun()).toBe('would build: api');
  });
});
