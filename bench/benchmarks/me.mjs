// Simple authenticated query: `me` on one API instance vs bare node:http answering the same bytes,
// beside references: the API's framework alone (express + Apollo Server answering a constant), the
// same constant from fastify + mercurius with graphql-jit, and a peer that answers `me` for real on
// mercurius + graphql-jit with the API's token check and the same row. Every row is driven by the
// same autocannon process with the same request (POST /graphql, JSON body, bearer token), closed
// loop, the rows alternated within each round.
import { gql, gqlOk } from '../lib/graphql.mjs';
import { cpuLine, medianCpu, ms, num, pct, section, table, verdict } from '../lib/report.mjs';
import { alternate, variant } from '../lib/rounds.mjs';
import { startWorker } from '../lib/worker.mjs';
import { median } from '../lib/util.mjs';

/** @typedef {Awaited<ReturnType<import('../workers/http-load.mjs').HttpLoad['run']>>} HttpLoadResult */
/** @typedef {import('../lib/graphql.mjs').GqlAnswer<{ me: unknown }> & { data: { me: unknown } }} MeAnswer */

/**
 * A running server of one row: where to send the request, the processes whose CPU its phase reports
 * (beside the load generator's), and how to stop it.
 * @typedef {{ url: string, pids: import('../lib/rounds.mjs').Pids, stop(): Promise<void> }} Served
 */

/**
 * One server answering the `me` request, measured alternately with the others.
 * @typedef {object} MeRow
 * @property {string} id its key in bench/results.json (`me.<id>.rps`, ...) and in the targets below
 * @property {string} label in the table
 * @property {string} short in the ratio lines
 * @property {(ctx: import('../lib/setup.mjs').Ctx, answer: MeAnswer) => Promise<Served>} setup starts
 *   it; `answer` is the API's own answer to the request
 */

export const ME_QUERY = '{ me { id nickname email gender birthYear createdAt } }';

/**
 * Targets on the ratio of two rows' median req/s (issue 13): `row` / `of` >= `min`. A target whose
 * rows did not run is left out.
 * @type {{ key: string, name: string, row: string, of: string, min: number }[]}
 */
export const TARGETS = [
  { key: 'me.ratio', name: '`me` req/s >= 20 % of bare node:http', row: 'api', of: 'bare', min: 0.2 },
  {
    key: 'me.peerRatio',
    name: 'our `me` req/s >= 60 % of mercurius + graphql-jit `me` (same token check, same row)',
    row: 'api',
    of: 'peer',
    min: 0.6,
  },
  {
    key: 'me.pipelineRatio',
    name: "the API's HTTP layer answering a constant through Apollo >= 25 % of bare node:http",
    row: 'pipeline',
    of: 'bare',
    min: 0.25,
  },
];

/**
 * @param {{ pid: number | undefined, stop(): Promise<void> }} worker
 * @param {{ port: number }} started what its `start` returned
 * @param {import('../lib/rounds.mjs').Pids} [more] other processes its phase uses
 * @returns {Served}
 */
const served = (worker, { port }, more = {}) => ({
  url: `http://127.0.0.1:${port}`,
  pids: { server: worker.pid, ...more },
  stop: () => worker.stop(),
});

/**
 * The rows, in the table's order.
 * @returns {MeRow[]}
 */
function meRows() {
  /** @type {MeRow[]} */
  const rows = [
    {
      id: 'bare',
      label: 'bare node:http (floor)',
      short: 'bare node:http',
      async setup(_ctx, answer) {
        /** @type {import('../lib/worker.mjs').Worker<import('../workers/bare-http.mjs').BareHttp>} */
        const w = startWorker('bare-http.mjs', { name: 'bare-http' });
        return served(w, await w.call('start', { body: answer.text }));
      },
    },
    {
      id: 'apollo',
      label: 'express + Apollo Server, constant answer (reference)',
      short: 'express + Apollo constant',
      async setup(_ctx, answer) {
        /** @type {import('../lib/worker.mjs').Worker<import('../workers/apollo-http.mjs').ApolloHttp>} */
        const w = startWorker('apollo-http.mjs', { name: 'apollo-http' });
        return served(w, await w.call('start', { me: answer.data.me }));
      },
    },
    {
      id: 'mercurius',
      label: 'fastify + mercurius + graphql-jit, constant answer (reference)',
      short: 'mercurius + jit constant',
      async setup(_ctx, answer) {
        /** @type {import('../lib/worker.mjs').Worker<import('../workers/mercurius-constant.mjs').MercuriusConstant>} */
        const w = startWorker('mercurius-constant.mjs', { name: 'mercurius-constant' });
        return served(w, await w.call('start', { me: answer.data.me }));
      },
    },
  ];
  rows.push({
    id: 'pipeline',
    label: "the API's GraphQL HTTP layer (api/dist: pipeline + node:http route), constant answer",
    short: "the API's HTTP layer, constant",
    async setup(_ctx, answer) {
      /** @type {import('../lib/worker.mjs').Worker<import('../workers/pipeline-http.mjs').PipelineHttp>} */
      const w = startWorker('pipeline-http.mjs', { name: 'pipeline-http' });
      return served(w, await w.call('start', { me: answer.data.me }));
    },
  });
  rows.push(
    {
      id: 'peer',
      label: '`me` on fastify + mercurius + graphql-jit (peer: same token check, same row)',
      short: 'mercurius + jit `me`',
      async setup(ctx) {
        /** @type {import('../lib/worker.mjs').Worker<import('../workers/mercurius-me.mjs').MercuriusMe>} */
        const w = startWorker('mercurius-me.mjs', { name: 'mercurius-me' });
        const started = await w.call('start', {
          mysqlUri: `${ctx.db.url}/bench`,
          jwtSecret: ctx.jwtSecret,
        });
        return served(w, started, { redis: ctx.redis.pid, mariadb: ctx.db.pid });
      },
    },
    {
      id: 'api',
      label: '`me` on the API',
      short: 'our `me`',
      async setup(ctx) {
        const { api1 } = ctx.apis;
        return {
          url: api1.url,
          pids: { server: api1.pid, redis: ctx.redis.pid, mariadb: ctx.db.pid },
          stop: async () => undefined,
        };
      },
    },
  );
  return rows;
}

// Above a function on purpose: with this typedef in a JSDoc block on a `const`, tsc infers
// `startWorker`'s methods as the generic `Methods` wherever the alias is the declared type.
/** @typedef {import('../lib/worker.mjs').Worker<import('../workers/http-load.mjs').HttpLoad>} HttpLoadWorker */

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchMe(ctx) {
  const { rounds, durationSec, connections } = ctx.scale.me;
  const token = ctx.data.meToken;
  /** @type {MeAnswer} */
  const answer = await gqlOk(ctx.apis.api1.graphqlUrl, token, ME_QUERY);
  /** @type {import('../workers/http-load.mjs').LoadRequest} */
  const request = {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ME_QUERY }),
  };
  const rows = meRows();
  /** @type {HttpLoadWorker} */
  const load = startWorker('http-load.mjs', { name: 'autocannon' });
  /** @type {Served[]} */
  const running = [];
  try {
    /** @type {Map<string, Served>} */
    const servers = new Map();
    for (const row of rows) {
      const server = await row.setup(ctx, answer);
      running.push(server);
      servers.set(row.id, server);
    }
    // Each row answers the same `data` as the API, byte for byte, before anything is timed.
    const expected = JSON.stringify(answer.data);
    /** @type {string[]} */
    const differing = [];
    for (const row of rows) {
      /** @type {import('../lib/graphql.mjs').GqlAnswer} */
      const got = await gql(`${servers.get(row.id)?.url}/graphql`, token, ME_QUERY);
      if (JSON.stringify(got.data) !== expected) {
        differing.push(row.id);
        ctx.log(`  ${row.id} answers differently from the API: ${got.text.slice(0, 300)}`);
      }
    }
    /**
     * @param {string} url
     * @param {number} [seconds]
     */
    const drive = (url, seconds = durationSec) =>
      load.call('run', { url, requests: [request], connections, durationSec: seconds });
    // Warm every row up (JIT, compiled queries, connection pools) before anything is recorded.
    for (const server of servers.values()) await drive(server.url, Math.min(2, durationSec));
    /** @param {HttpLoadResult} r */
    const summary = (r) => `${num(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms`;
    const runs = await alternate(
      rounds,
      rows.map((row) => {
        const server = /** @type {Served} every row was set up above */ (servers.get(row.id));
        return variant({
          name: row.id,
          pids: { ...server.pids, autocannon: load.pid },
          run: () => drive(server.url),
          summary,
        });
      }),
      ctx.log,
    );

    const { note } = ctx.metrics;
    /** @type {Record<string, { rps: number, p50: number, p99: number, cpuMs: number }>} */
    const stats = {};
    const errors = rows
      .flatMap((row) => runs[row.id] ?? [])
      .reduce((n, r) => n + r.non2xx + r.errors + r.graphqlErrors, 0);
    const tableRows = rows.map((row) => {
      const rs = runs[row.id] ?? [];
      const rps = median(rs.map((r) => r.requestsPerSecond));
      // CPU per request of the answering process: its median CPU over its median rate.
      const cpuMs = (10 * median(rs.map((r) => r.cpu.server?.percent))) / rps;
      const p50 = median(rs.map((r) => r.latency.p50));
      const p99 = median(rs.map((r) => r.latency.p99));
      stats[row.id] = { rps, p50, p99, cpuMs };
      note(`me.${row.id}.rps`, rps, 'perSecond');
      note(`me.${row.id}.p50`, p50, 'ms');
      note(`me.${row.id}.p99`, p99, 'ms');
      note(`me.${row.id}.cpuMsPerRequest`, cpuMs, 'ms');
      return [
        row.label,
        rs.map((r) => num(r.requestsPerSecond)).join(' / '),
        num(rps),
        ms(p50),
        ms(p99),
        num(cpuMs, 3),
        cpuLine(medianCpu(rs.map((r) => r.cpu))),
      ];
    });
    /** @param {string} id */
    const rpsOf = (id) => stats[id]?.rps ?? NaN;
    const apolloCost = rpsOf('apollo') / rpsOf('mercurius');
    const apolloCostText = note('me.apolloCost', apolloCost, 'share');
    const measured = TARGETS.filter((t) => stats[t.row] && stats[t.of]).map((t) => {
      const ratio = rpsOf(t.row) / rpsOf(t.of);
      return { ...t, ratio, text: note(t.key, ratio, 'share'), met: ratio >= t.min };
    });
    /** @type {import('../lib/report.mjs').Target[]} */
    const targets = measured.map((m) => ({
      name: m.name,
      value:
        m.key === 'me.peerRatio'
          ? `${m.text}; Apollo's cost: express + Apollo's constant at ${apolloCostText} of mercurius + graphql-jit's`
          : m.text,
      met: m.met,
    }));
    /** @param {string} id */
    const nameOf = (id) => rows.find((r) => r.id === id)?.short;
    const headlines = measured.map(
      (m) => `- **${nameOf(m.row)} / ${nameOf(m.of)}: ${m.text}** (target >= ${pct(m.min)}: ${verdict(m.met)})`,
    );
    const markdown = [
      `Request: \`POST /graphql\` \`${ME_QUERY}\` with a bearer token; autocannon, ${connections} connections, ${durationSec} s per phase, ${rounds} rounds, the rows alternated within each (after one unrecorded warm-up phase each). The floor answers the same ${answer.text.length}-byte JSON; every other row answered the same \`data\` as the API, byte for byte, before the timing${differing.length ? ` (**except ${differing.join(', ')}**)` : ''}. The peer verifies the token with the API's own AccessTokens and proves the session live with the API's SQL refresh-token store (\`isActive\`, one read of login_sessions in the same database) behind the API's own per-instance liveness cache (SessionLiveness, 3 s), then reads the same row from the same MariaDB with one prepared statement (mysql2 \`execute\`, one pool of 10).`,
      '',
      table(
        [
          'server',
          'req/s per round',
          'median req/s',
          'p50',
          'p99',
          'server CPU per request (ms)',
          'CPU (median, % of one core)',
        ],
        tableRows,
      ),
      '',
      ...headlines,
      `- Apollo's cost: express + Apollo answering the constant reaches **${apolloCostText}** of what fastify + mercurius + graphql-jit reaches answering the same constant; the API's \`me\` is ${pct(rpsOf('api') / rpsOf('apollo'))} of express + Apollo's constant, the peer's \`me\` ${pct(rpsOf('peer') / rpsOf('mercurius'))} of mercurius' constant.`,
      '',
      `Non-2xx, socket errors and GraphQL errors over all phases: ${errors}.`,
    ].join('\n');
    return {
      ...section({
        id: 'me',
        title: 'Simple authenticated query (`me`)',
        markdown,
        counters: { 'me: failed requests': errors, "me: answers differing from the API's": differing.length },
      }),
      targets,
      data: { stats, apolloCost },
    };
  } finally {
    for (const server of running) await server.stop();
    await load.stop();
  }
}
