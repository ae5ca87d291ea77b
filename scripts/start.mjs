#!/usr/bin/env node
// `npm start`: builds the web app and the API only when their build output is missing or older than
// their sources, then runs the API in api/ (where the embedded default's DATA_DIR is relative to),
// in this process. `--dry-run` prints what it would build and starts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What each workspace is built from, and where its output goes (paths from the repository root). */
const WORKSPACES = [
  {
    name: 'web',
    sources: [
      'web/src',
      'web/public',
      'web/sw',
      'web/index.html',
      'web/playground.html',
      'web/vite.config.ts',
      'web/tsconfig.json',
      'web/package.json',
    ],
    output: 'web/dist',
  },
  {
    name: 'api',
    sources: ['api/src', 'api/tsconfig.json', 'api/tsconfig.build.json', 'api/package.json'],
    output: 'api/dist',
  },
];
/** Changes to these (dependencies, shared compiler options) rebuild both. */
const SHARED_SOURCES = ['package-lock.json', 'tsconfig.base.json'];

/**
 * The modification times (ms) of every file under `target` (itself, when it is a file); none when
 * it does not exist.
 * @param {string} target
 * @returns {number[]}
 */
function mtimes(target) {
  if (!existsSync(target)) return [];
  const stat = statSync(target);
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(target).flatMap((entry) => mtimes(path.join(target, entry)));
}

/**
 * Whether a workspace needs a build: no output yet, or a source changed after the oldest output file.
 * @param {string} root
 * @param {{ sources: string[], output: string }} workspace
 */
function stale(root, { sources, output }) {
  const built = mtimes(path.join(root, output));
  if (built.length === 0) return true;
  const changed = [...sources, ...SHARED_SOURCES].flatMap((source) => mtimes(path.join(root, source)));
  return Math.max(...changed) > Math.min(...built);
}

const root = process.cwd();
const toBuild = WORKSPACES.filter((w) => stale(root, w)).map((w) => w.name);
if (process.argv.includes('--dry-run')) {
  console.log(toBuild.length > 0 ? `would build: ${toBuild.join(', ')}` : 'up to date: nothing to build');
  process.exit(0);
}

// npm runs this script with npm_execpath set: the same npm builds, also where `npm` is `npm.cmd`.
const npmCli = process.env.npm_execpath;
/** @type {[string, string[]]} */
const [npm, npmArgs] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
for (const name of toBuild) {
  console.log(`Building ${name} (no build yet, or its sources changed since)…`);
  const result = spawnSync(npm, [...npmArgs, 'run', 'build', '-w', name], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (toBuild.length === 0) console.log('web and api are built and up to date: starting.');

process.chdir(path.join(root, 'api'));
await import(pathToFileURL(path.join(root, 'api/dist/main.js')).href);
