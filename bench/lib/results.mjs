// bench/RESULTS.md: machine, targets, correctness counters, each benchmark's section, profiles.
import { num, pct, table, verdict } from './report.mjs';
import { analysis } from './analysis.mjs';

/** @typedef {import('../benchmarks/profile.mjs').Profile} Profile */
/** @typedef {import('./report.mjs').Section & { data?: unknown }} AnySection */

/**
 * @typedef {object} RunInfo
 * @property {string} date
 * @property {string} cpu
 * @property {string} memory
 * @property {string} os
 * @property {string} node
 * @property {string} commit
 * @property {string} mariadb
 * @property {string | undefined} redis
 * @property {number[]} loadBefore
 * @property {number[]} loadAfter
 * @property {number} seconds
 * @property {boolean} quick
 * @property {string[] | undefined} only
 */

/**
 * bench/results.json: the run, its targets as the Targets table shows them, and every headline
 * number by key (what `--before` reads back).
 * @typedef {object} ResultsFile
 * @property {RunInfo} run
 * @property {import('./report.mjs').Target[]} targets
 * @property {import('./metrics.mjs').Metrics} metrics
 */

/**
 * @param {RunInfo} info
 * @param {AnySection[]} sections
 * @param {import('./metrics.mjs').Metrics} metrics
 */
export function resultsJson(info, sections, metrics) {
  /** @type {ResultsFile} */
  const file = { run: info, targets: sections.flatMap((s) => s.targets ?? []), metrics };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** @param {Profile[] | null} profiles */
function profileSection(profiles) {
  if (!profiles?.length) return '';
  const parts = [
    '## Profiles: where the API process spends its time',
    '',
    'Each hot path replayed for 6 s against its own instance started with `node --cpu-prof` (same database, Redis and configuration); self time per package (`randchat api: ...` is our code in api/dist) and per function, and inclusive time per package (a package counts when any of its frames is on the sampled stack), as shares of the busy (non-idle) samples.',
    '',
  ];
  for (const p of profiles) {
    const s = p.summary;
    parts.push(
      `### ${p.title}: ${num(p.rps)} req/s under the profiler`,
      '',
      `Busy ${pct(s.busyShare)} of ${s.seconds.toFixed(1)} s; our own code ${pct(s.oursShare)}; garbage collector ${pct(s.gcShare)}.`,
      '',
      '<table><tr><td valign="top">',
      '',
      table(
        ['package', 'self'],
        s.packages.map((x) => [x.name, pct(x.share)]),
      ),
      '',
      '</td><td valign="top">',
      '',
      table(
        ['function', 'self'],
        s.functions.map((x) => [x.name, pct(x.share)]),
      ),
      '',
      '</td><td valign="top">',
      '',
      table(
        ['package on the stack', 'inclusive'],
        (s.inclusive ?? []).map((x) => [x.name, pct(x.share)]),
      ),
      '',
      '</td></tr></table>',
      '',
    );
  }
  return parts.join('\n');
}

/**
 * @param {object} results
 * @param {RunInfo} results.info
 * @param {AnySection[]} results.sections
 * @param {Record<string, number>} results.counters
 * @param {{ id: string, error: string }[]} results.failures
 * @param {Profile[] | null} results.profiles
 * @param {import('./scale.mjs').Scale} results.scale
 * @param {Record<string, string>} results.apiEnv instance 1's environment
 * @param {import('./metrics.mjs').Before | null} results.before the earlier run of `--before`
 */
export function writeResults({ info, sections, counters, failures, profiles, scale, apiEnv, before }) {
  const targets = sections.flatMap((s) => s.targets ?? []);
  const env = Object.entries(apiEnv)
    .filter(
      ([k]) =>
        ![
          'NODE_ENV',
          'LOG_LEVEL',
          'JWT_SECRET',
          'DATA_DIR',
          'WEB_DIST_DIR',
          'DATABASE_URL',
          'REDIS_URL',
          'REDIS_PREFIX',
        ].includes(k),
    )
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ');
  const lines = [
    '# randchat benchmarks: results',
    '',
    `Written by \`npm run bench\`${info.quick ? ' --quick' : ''} on ${info.date}, in ${Math.round(info.seconds)} s. Every ratio below compares a baseline and a subject measured alternately in this same run; absolute numbers depend on this shared, noisy 2-core machine, the ratios much less.`,
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['date', info.date],
        ['CPU', info.cpu],
        ['memory', info.memory],
        ['OS', info.os],
        ['Node', info.node],
        ['MariaDB', `${info.mariadb} (the bench's own server: innodb_flush_log_at_trx_commit=1, 1 GiB buffer pool)`],
        ['Redis', `${info.redis} (the bench's own server, nothing on disk)`],
        ['commit', info.commit],
        [
          'load average before / after (1, 5, 15 min)',
          `${info.loadBefore.map((x) => x.toFixed(2)).join(', ')} / ${info.loadAfter.map((x) => x.toFixed(2)).join(', ')}`,
        ],
      ],
    ),
    '',
    "The servers, the bench's own MariaDB and Redis and the load generators share this machine's 2 cores (with whatever else ran on it: see the load average before the run), which is why each table also gives the CPU every process used.",
    '',
    '## Targets',
    '',
    ...(before
      ? [
          `Where a number reads "a -> b", a is the earlier run's (\`--before=${before.path}\`: commit ${before.run.commit ?? 'unknown'}, ${before.run.date ?? 'date unknown'}) and b this run's; verdicts are this run's.`,
          '',
        ]
      : []),
    table(
      ['target', 'measured', 'verdict'],
      targets.map((t) => [t.name, t.value, verdict(t.met)]),
    ),
    '',
    '## Correctness counters (each must be 0; `--quick` fails otherwise)',
    '',
    table(
      ['counter', 'value'],
      Object.entries(counters).map(([k, v]) => [k, v === 0 ? '0' : `**${v}**`]),
    ),
    ...(failures.length ? ['', '**Did not complete:** ' + failures.map((f) => `${f.id} (${f.error})`).join('; ')] : []),
    '',
    '## Set-up',
    '',
    `- The bench starts its own MariaDB and Redis (fresh data directories, free ports) and three API processes from \`api/dist/main.js\`: two on the main database sharing one Redis prefix (instance 1 and 2), one on the original-load-shape database. Configuration as in production (\`NODE_ENV=production\`, \`LOG_LEVEL=info\`, one access-log line per request), except: ${env}. (\`SMTP_URL\` points nowhere: no mail is sent during the run.) The rate limits are raised so that the load generators are not throttled; the matching search timeout and presence grace are raised so that the dense queue is not swept away as ghosts during the run (no heartbeat comes from its users).`,
    "- Users, rooms, members and messages are inserted with bulk SQL (MariaDB's SEQUENCE engine) into the schema the instances migrated; sessions are created with the API's own token modules (api/dist), i.e. what `logIn` does after checking the password.",
    "- Load generators run as separate processes (autocannon for HTTP, mysql2 for SQL, ioredis for Redis, raw WebSocket clients for graphql-ws) and their CPU is reported beside the servers'.",
    `- Scale: ${Object.entries(scale)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join('; ')}.`,
    '',
  ];
  for (const s of sections) lines.push(`## ${s.title}`, '', s.markdown, '', analysis(s, profiles), '');
  lines.push(profileSection(profiles));
  return lines.join('\n');
}
