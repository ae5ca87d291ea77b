#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only=me,rooms,matching,latency,cluster,sockets] [-- --no-build] [-- --no-profile]
//   [-- --before=<an earlier run's results.json>]`
//
// Starts its own MariaDB and Redis (fresh data dirs under the system temp dir, free ports), builds and
// starts API instances from api/dist/main.js as separate processes, seeds the data with bulk SQL,
// runs each benchmark with its baseline alternated with the subject (load generators are child
// processes), and writes bench/RESULTS.md (full mode) or prints a summary (--quick). Full and --only
// runs also write bench/results.json (every headline number by key); with --before, the Targets
// table and each section's headline line show the earlier run's number -> this run's. Everything it
// started is stopped and its temp dir deleted at the end, also on failure or Ctrl-C.
//
// Exit code: non-zero when a benchmark fails to complete or a correctness counter (double matches,
// lost / duplicated / out-of-order messages, failed requests...) is not zero. Timings never fail it.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetrics, readBefore } from './lib/metrics.mjs';
import { section } from './lib/report.mjs';
import { FULL, QUICK } from './lib/scale.mjs';
import { setup } from './lib/setup.mjs';
import { killAllWorkers } from './lib/worker.mjs';
import { benchCluster } from './benchmarks/cluster.mjs';
import { benchLatency } from './benchmarks/latency.mjs';
import { benchMatching } from './benchmarks/matching.mjs';
import { clearQueue } from './benchmarks/matching-queue.mjs';
import { benchMe } from './benchmarks/me.mjs';
import { benchRooms } from './benchmarks/rooms.mjs';
import { benchSockets } from './benchmarks/sockets.mjs';
import { profileHotPaths } from './benchmarks/profile.mjs';
import { resultsJson, writeResults } from './lib/results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const beforePath = args.find((a) => a.startsWith('--before='))?.slice(9);
/** @param {string} id */
const wants = (id) => !only || only.includes(id);

const startedAt = new Date();
const t0 = performance.now();
/** @param {unknown[]} parts */
const log = (...parts) =>
  console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s]`, ...parts);
// Under the system temp dir, not the checkout: mariadbd runs as `mysql`, which cannot enter a clone
// made in a private (0700) directory.
const tmp = path.join(os.tmpdir(), `randchat-bench-${process.pid}`);
/** @type {import('./lib/setup.mjs').Stop[]} */
const stops = [];
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killAllWorkers();
  for (const stop of stops.reverse())
    await stop().catch((/** @type {unknown} */ err) => console.error(`cleanup: ${errorMessage(err)}`));
  rmSync(tmp, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything the bench started`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** @param {unknown} err */
const errorMessage = (err) => (err instanceof Error ? err.message : String(err));
/** @param {unknown} err */
const errorStack = (err) => (err instanceof Error ? (err.stack ?? err.message) : String(err));

function machine() {
  /** @param {string[]} cmdArgs */
  const git = (cmdArgs) => {
    try {
      return execFileSync('git', cmdArgs, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: startedAt.toISOString(),
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} x ${os.cpus().length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) ? ' (with uncommitted changes)' : ''}`,
  };
}

async function main() {
  /** @type {import('./lib/setup.mjs').BenchOptions} */
  const options = {
    quick,
    scale: quick ? QUICK : FULL,
    log,
    redisPrefix: 'bench:',
    // Long enough that the dense queue's users are never swept as ghosts or timed out mid-run.
    matchSearchTimeoutSeconds: 3600,
    matchGraceSeconds: 3600,
    tmp,
    metrics: createMetrics(beforePath ? readBefore(beforePath) : null),
  };
  const loadBefore = os.loadavg();
  if (!args.includes('--no-build')) {
    log('building the API (npm run build -w api)');
    const build = spawnSync('npm', ['run', 'build', '-w', 'api', '--silent'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build -w api failed');
  }
  const ctx = await setup(options, stops);

  /** @type {Array<import('./lib/report.mjs').Section & { data?: unknown }>} */
  const sections = [];
  /** @type {{ id: string, error: string }[]} */
  const failures = [];
  /** @type {[string, (ctx: import('./lib/setup.mjs').Ctx) => Promise<import('./lib/report.mjs').Section>][]} */
  const plan = [
    ['me', benchMe],
    ['rooms', benchRooms],
    ['matching', benchMatching],
    ['latency', benchLatency],
    ['cluster', benchCluster],
    ['sockets', benchSockets],
  ];
  for (const [id, bench] of plan) {
    if (!wants(id)) continue;
    log(`== ${id}`);
    try {
      if (id === 'latency' && !wants('matching')) {
        // The matching load needs the dense queue the matching benchmark builds.
        const { buildBallast } = await import('./benchmarks/matching-queue.mjs');
        await buildBallast(ctx, ctx.scale.matching.ballast);
      }
      sections.push(await bench(ctx));
    } catch (err) {
      log(`${id} FAILED: ${errorStack(err)}`);
      failures.push({ id, error: errorMessage(err) });
      sections.push(section({ id, title: id, markdown: `**Did not complete:** ${errorMessage(err)}` }));
    }
    if (id === 'latency') await clearQueue(ctx);
  }
  /** @type {import('./benchmarks/profile.mjs').Profile[] | null} */
  let profiles = null;
  if (!quick && !args.includes('--no-profile') && !only) {
    log('== profiles (--cpu-prof on a separate instance)');
    try {
      profiles = await profileHotPaths(ctx, stops);
    } catch (err) {
      log(`profiles FAILED: ${errorStack(err)}`);
      failures.push({ id: 'profiles', error: errorMessage(err) });
    }
  }
  const loadAfter = os.loadavg();
  /** @type {Record<string, number>} */
  const counters = Object.assign({}, ...sections.map((s) => s.counters ?? {}));
  const bad = Object.entries(counters).filter(([, v]) => v !== 0);
  const info = {
    ...machine(),
    ...ctx.versions,
    loadBefore,
    loadAfter,
    seconds: (performance.now() - t0) / 1000,
    quick,
    only,
  };
  const text = writeResults({
    info,
    sections,
    counters,
    failures,
    profiles,
    scale: ctx.scale,
    apiEnv: ctx.apiEnv('api1', 'bench', ctx.redisPrefix),
    before: ctx.metrics.before,
  });
  if (!quick) {
    writeFileSync(path.join(root, 'bench', 'results.json'), resultsJson(info, sections, ctx.metrics.recorded));
    log('wrote bench/results.json');
  }
  if (!quick && !only) {
    writeFileSync(path.join(root, 'bench', 'RESULTS.md'), text);
    log('wrote bench/RESULTS.md');
  } else {
    const out = args.find((a) => a.startsWith('--out='))?.slice(6);
    if (out) writeFileSync(out, text);
  }
  console.log('\nCorrectness counters:');
  for (const [k, v] of Object.entries(counters)) console.log(`  ${v === 0 ? 'ok  ' : 'FAIL'} ${k}: ${v}`);
  console.log('\nTargets (reported, never failing the run):');
  for (const s of sections)
    for (const t of s.targets ?? []) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.value}`);
  for (const f of failures) console.log(`  FAILED to complete: ${f.id}: ${f.error}`);
  log(
    `done in ${info.seconds.toFixed(0)} s; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} -> ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  return failures.length > 0 || bad.length > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`bench failed: ${errorStack(err)}`);
} finally {
  await cleanup();
}
process.exit(code);
