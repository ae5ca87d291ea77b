// Where the API's time goes: each hot path is replayed for a few seconds against a separate
// instance running under `node --cpu-prof`, and the profile is summarised by self time per package
// (ours = api/dist) and per function.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startApi } from '../lib/api.mjs';
import { startWorker } from '../lib/worker.mjs';
import { ME_QUERY } from './me.mjs';
import { roomsQuery } from './rooms.mjs';

const SEND =
  'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id roomId seq sender { id nickname } body clientMessageId createdAt } }';

/** Package (or our file) a profile node's code belongs to. */
function owner(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
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
 */
export function summarise(file, top = 12, window = null) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const sampleCount = profile.samples.length;
  let at = profile.startTime;
  // Time per sample: the delta to the next one (V8 records the delta before each sample).
  for (let i = 0; i < sampleCount; i++) {
    at += profile.timeDeltas[i];
    if (window && (at < window.from || at > window.to)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  let idle = 0;
  let total = 0;
  const packages = new Map();
  const functions = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
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
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackCache = new Map();
  const stackPackages = (id) => {
    if (stackCache.has(id)) return stackCache.get(id);
    const node = byId.get(id);
    const up = parent.has(id) ? stackPackages(parent.get(id)) : new Set();
    const { functionName, url } = node.callFrame;
    let set = up;
    if (url) {
      const pkg = owner(url, functionName);
      const names = pkg.startsWith('randchat api') ? [pkg, 'randchat api (any file)'] : [pkg];
      if (names.some((n) => !up.has(n))) set = new Set([...up, ...names]);
    }
    stackCache.set(id, set);
    return set;
  };
  const inclusive = new Map();
  for (const [id, us] of self) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    for (const pkg of stackPackages(id)) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + us);
  }
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

export async function profileHotPaths(ctx, stops) {
  const dir = path.join(ctx.tmp, 'profiles');
  const load = startWorker('http-load.mjs', { name: 'autocannon-profile' });
  const durationSec = 6;
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
      requests: ctx.data.latencyRooms.slice(0, 50).map((r) => ({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${r.senderToken}` },
        body: JSON.stringify({
          query: SEND,
          variables: { input: { roomId: r.roomId, body: 'profiled message', clientMessageId: 'prof-[<id>]' } },
        }),
      })),
      unique: true,
    },
  ];
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
