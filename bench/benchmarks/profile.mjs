// Where the API's time goes: each hot path is replayed for a few seconds against a separate
// instance running under `node --cpu-prof`, and the profile is summarised by self time per package
// (ours = api/dist) and per function.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startApi } from '../lib/api.mjs';
import { startWorker } from '../lib/worker.mjs';
import { sendRequests } from './latency.mjs';
import { ME_QUERY } from './me.mjs';
import { roomsQuery } from './rooms.mjs';

/**
 * A V8 .cpuprofile (the fields read here); times in microseconds.
 * @typedef {{ functionName: string, url: string, lineNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number }} CpuProfile
 */

/** @typedef {{ name: string, share: number }} Share */
/** @typedef {ReturnType<typeof summarise>} ProfileSummary */
/** @typedef {Awaited<ReturnType<typeof profileHotPaths>>[number]} Profile */

/**
 * Package (or our file) a profile node's code belongs to.
 * @param {string} url
 * @param {string} functionName
 */
function owner(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [scope = '', name = ''] = url.slice(nm + 14).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const dist = url.indexOf('/api/dist/');
  if (dist >= 0) return `randchat api: ${url.slice(dist + 10)}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/**
 * Self time per package and function. `window` ({ from, to } in µs of CLOCK_MONOTONIC, the clock of
 * both V8's profile timestamps and process.hrtime) keeps only the samples taken under load, leaving
 * out start-up and shutdown.
 * @param {string} file
 * @param {{ from: number, to: number } | null} [window]
 */
export function summarise(file, top = 12, window = null) {
  /** @type {CpuProfile} */
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @param {number} id a node id from this profile */
  const nodeOf = (id) => /** @type {ProfileNode} */ (byId.get(id));
  /** @type {Map<number, number>} */
  const self = new Map();
  const sampleCount = profile.samples.length;
  let at = profile.startTime;
  // Time per sample: the delta to the next one (V8 records the delta before each sample).
  // samples and timeDeltas have one entry per sample.
  for (let i = 0; i < sampleCount; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.from || at > window.to)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const sample = /** @type {number} */ (profile.samples[i]);
    self.set(sample, (self.get(sample) ?? 0) + dt);
  }
  let idle = 0;
  let total = 0;
  /** @type {Map<string, number>} */
  const packages = new Map();
  /** @type {Map<string, number>} */
  const functions = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = nodeOf(id).callFrame;
    total += us;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const pkg = owner(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} (${url ? `${pkg.startsWith('randchat') ? pkg.slice(14) : pkg}:${lineNumber + 1}` : pkg})`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const busy = total - idle;
  // Inclusive: every package with a frame on the sample's stack gets the sample's time once.
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** @type {Map<number, Set<string>>} */
  const stackCache = new Map();
  /**
   * @param {number} id
   * @returns {Set<string>}
   */
  const stackPackages = (id) => {
    const cached = stackCache.get(id);
    if (cached) return cached;
    const parentId = parent.get(id);
    /** @type {Set<string>} */
    const up = parentId !== undefined ? stackPackages(parentId) : new Set();
    const { functionName, url } = nodeOf(id).callFrame;
    let set = up;
    if (url) {
      const pkg = owner(url, functionName);
      const names = pkg.startsWith('randchat api') ? [pkg, 'randchat api (any file)'] : [pkg];
      if (names.some((n) => !up.has(n))) set = new Set([...up, ...names]);
    }
    stackCache.set(id, set);
    return set;
  };
  /** @type {Map<string, number>} */
  const inclusive = new Map();
  for (const [id, us] of self) {
    if (nodeOf(id).callFrame.functionName === '(idle)') continue;
    for (const pkg of stackPackages(id)) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + us);
  }
  /**
   * @param {Map<string, number>} map
   * @returns {Share[]}
   */
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, share: us / busy }));
  const ours = [...packages].filter(([k]) => k.startsWith('randchat api')).reduce((n, [, us]) => n + us, 0);
  return {
    seconds: total / 1e6,
    busyShare: busy / total,
    packages: rank(packages),
    functions: rank(functions),
    inclusive: rank(inclusive),
    oursShare: ours / busy,
    gcShare: (packages.get('(garbage collector)') ?? 0) / busy,
  };
}

/**
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {import('../lib/setup.mjs').Stop[]} stops
 */
export async function profileHotPaths(ctx, stops) {
  const dir = path.join(ctx.tmp, 'profiles');
  /** @type {import('./me.mjs').HttpLoadWorker} */
  const load = startWorker('http-load.mjs', { name: 'autocannon-profile' });
  const durationSec = 6;
  /** @type {{ id: string, title: string, connections: number, requests: import('../workers/http-load.mjs').LoadRequest[], unique?: boolean }[]} */
  const workloads = [
    {
      id: 'me',
      title: '`me` (autocannon, 50 connections)',
      connections: 50,
      requests: [
        {
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.data.meToken}` },
          body: JSON.stringify({ query: ME_QUERY }),
        },
      ],
    },
    {
      id: 'rooms',
      title: '`rooms(first: 20)` for the 10k-rooms user (autocannon, 16 connections)',
      connections: 16,
      requests: [
        {
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.data.k10.token}` },
          body: JSON.stringify({ query: roomsQuery(20) }),
        },
      ],
    },
    {
      id: 'sendMessage',
      title: '`sendMessage` (autocannon, 16 connections, a new clientMessageId each)',
      connections: 16,
      requests: sendRequests(ctx.data.latencyRooms.slice(0, 50), 'profiled message', 'prof'),
      unique: true,
    },
  ];
  /** @type {{ id: string, title: string, connections: number, unique?: boolean, requests?: undefined, rps: number, summary: ProfileSummary }[]} */
  const out = [];
  try {
    for (const w of workloads) {
      const api = await startApi(ctx.apiEnv(`prof-${w.id}`, 'bench', ctx.redisPrefix), {
        name: `profile-${w.id}`,
        profileDir: dir,
      });
      stops.push(() => api.stop());
      try {
        await load.call('run', {
          url: api.url,
          requests: w.requests,
          connections: w.connections,
          durationSec: 2,
          unique: w.unique,
        });
        const from = Number(process.hrtime.bigint() / 1000n);
        const result = await load.call('run', {
          url: api.url,
          requests: w.requests,
          connections: w.connections,
          durationSec,
          unique: w.unique,
        });
        const to = Number(process.hrtime.bigint() / 1000n);
        ctx.log(`  profiled ${w.id}: ${Math.round(result.requestsPerSecond)} req/s under --cpu-prof`);
        await api.stop();
        out.push({
          ...w,
          requests: undefined,
          rps: result.requestsPerSecond,
          summary: summarise(path.join(dir, `profile-${w.id}.cpuprofile`), 12, { from, to }),
        });
      } finally {
        await api.stop();
      }
    }
  } finally {
    await load.stop();
  }
  return out;
}
