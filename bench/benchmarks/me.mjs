// Simple authenticated query: `me` on one API instance vs bare node:http answering the same bytes,
// with the API's framework alone (express + Apollo Server answering a constant) as a reference in
// between. All are driven by the same autocannon process with the same request (POST /graphql, JSON
// body, bearer token), closed loop.
import { gqlOk } from '../lib/graphql.mjs';
import { cpuLine, medianCpu, ms, num, pct, section, table, verdict } from '../lib/report.mjs';
import { alternate, variant } from '../lib/rounds.mjs';
import { startWorker } from '../lib/worker.mjs';
import { median } from '../lib/util.mjs';

/** @typedef {Awaited<ReturnType<import('../workers/http-load.mjs').HttpLoad['run']>>} HttpLoadResult */

export const ME_QUERY = '{ me { id nickname email gender birthYear createdAt } }';
export const TARGET_RATIO = 0.3;

/** @typedef {import('../lib/worker.mjs').Worker<import('../workers/http-load.mjs').HttpLoad>} HttpLoadWorker */

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchMe(ctx) {
  const { api1 } = ctx.apis;
  const { rounds, durationSec, connections } = ctx.scale.me;
  const token = ctx.data.meToken;
  /** @type {import('../lib/graphql.mjs').GqlAnswer<{ me: unknown }> & { data: { me: unknown } }} */
  const answer = await gqlOk(api1.graphqlUrl, token, ME_QUERY);
  const body = JSON.stringify({ query: ME_QUERY });
  /** @type {import('../workers/http-load.mjs').LoadRequest} */
  const request = {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  };

  /** @type {import('../lib/worker.mjs').Worker<import('../workers/bare-http.mjs').BareHttp>} */
  const bare = startWorker('bare-http.mjs', { name: 'bare-http' });
  /** @type {import('../lib/worker.mjs').Worker<import('../workers/apollo-http.mjs').ApolloHttp>} */
  const framework = startWorker('apollo-http.mjs', { name: 'apollo-http' });
  /** @type {HttpLoadWorker} */
  const load = startWorker('http-load.mjs', { name: 'autocannon' });
  try {
    const { port } = await bare.call('start', { body: answer.text });
    const bareUrl = `http://127.0.0.1:${port}`;
    const frameworkUrl = `http://127.0.0.1:${(await framework.call('start', { me: answer.data.me })).port}`;
    /**
     * @param {string} url
     * @param {number} [seconds]
     */
    const drive = (url, seconds = durationSec) =>
      load.call('run', { url, requests: [request], connections, durationSec: seconds });
    // Warm both up (JIT, connection pools) before anything is recorded.
    await drive(bareUrl, Math.min(2, durationSec));
    await drive(frameworkUrl, Math.min(2, durationSec));
    await drive(api1.url, Math.min(2, durationSec));
    /** @param {HttpLoadResult} r */
    const summary = (r) => `${num(r.requestsPerSecond)} req/s, p99 ${r.latency.p99} ms`;
    const runs = await alternate(
      rounds,
      [
        variant({ name: 'bare', pids: { server: bare.pid, autocannon: load.pid }, run: () => drive(bareUrl), summary }),
        variant({
          name: 'framework',
          pids: { server: framework.pid, autocannon: load.pid },
          run: () => drive(frameworkUrl),
          summary,
        }),
        variant({
          name: 'api',
          pids: { server: api1.pid, autocannon: load.pid, redis: ctx.redis.pid, mariadb: ctx.db.pid },
          run: () => drive(api1.url),
          summary,
        }),
      ],
      ctx.log,
    );
    const bareRps = median(runs.bare.map((r) => r.requestsPerSecond));
    const frameworkRps = median(runs.framework.map((r) => r.requestsPerSecond));
    const apiRps = median(runs.api.map((r) => r.requestsPerSecond));
    const ratio = apiRps / bareRps;
    const errors = [...runs.bare, ...runs.framework, ...runs.api].reduce(
      (n, r) => n + r.non2xx + r.errors + r.graphqlErrors,
      0,
    );
    const labels = {
      bare: 'bare node:http (floor)',
      framework: 'express + Apollo Server, constant answer (reference)',
      api: '`me` on the API',
    };
    const rows = /** @type {const} */ (['bare', 'framework', 'api']).map((name) => {
      const rs = runs[name];
      return [
        labels[name],
        rs.map((r) => num(r.requestsPerSecond)).join(' / '),
        num(median(rs.map((r) => r.requestsPerSecond))),
        ms(median(rs.map((r) => r.latency.p50))),
        ms(median(rs.map((r) => r.latency.p99))),
        cpuLine(medianCpu(rs.map((r) => r.cpu))),
      ];
    });
    const met = ratio >= TARGET_RATIO;
    const markdown = [
      `Request: \`POST /graphql\` \`${ME_QUERY}\` with a bearer token; autocannon, ${connections} connections, ${durationSec} s per phase, ${rounds} rounds alternated (after one unrecorded warm-up phase each). The floor answers the same ${answer.text.length}-byte JSON.`,
      '',
      table(['server', 'req/s per round', 'median req/s', 'p50', 'p99', 'CPU (median, % of one core)'], rows),
      '',
      `**Ratio API / bare: ${pct(ratio)}** (target >= ${pct(TARGET_RATIO)}: ${verdict(met)}). The framework alone reaches ${pct(frameworkRps / bareRps)} of bare, and the API ${pct(apiRps / frameworkRps)} of the framework alone. Non-2xx, socket errors and GraphQL errors over all phases: ${errors}.`,
    ].join('\n');
    return {
      ...section({
        id: 'me',
        title: 'Simple authenticated query (`me`)',
        markdown,
        counters: { 'me: failed requests': errors },
      }),
      targets: [{ name: '`me` req/s >= 30 % of bare node:http', value: pct(ratio), met }],
      data: {
        bareRps,
        frameworkRps,
        apiRps,
        ratio,
        apiCpuMs: (10 * median(runs.api.map((r) => r.cpu.server?.percent))) / apiRps,
        bareCpuMs: (10 * median(runs.bare.map((r) => r.cpu.server?.percent))) / bareRps,
        frameworkCpuMs: (10 * median(runs.framework.map((r) => r.cpu.server?.percent))) / frameworkRps,
      },
    };
  } finally {
    await bare.stop();
    await framework.stop();
    await load.stop();
  }
}
