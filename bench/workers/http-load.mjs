// HTTP load generator (autocannon, closed loop): `run` drives one URL for a while and reports
// req/s, latency percentiles, non-2xx responses and GraphQL error bodies.
import autocannon from 'autocannon';
import { serve } from './serve.mjs';

/** @typedef {{ method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string }} LoadRequest */

export const methods = {
  /**
   * requests: [{ method, path, headers, body }] cycled in order by every connection (one per token,
   * say). Responses whose body holds `"errors"` are counted as GraphQL errors.
   * @param {object} args
   * @param {string} args.url
   * @param {LoadRequest[]} args.requests
   * @param {number} [args.connections]
   * @param {number} [args.durationSec]
   * @param {number} [args.pipelining]
   * @param {boolean} [args.unique] replace '[<id>]' in each body with a fresh value per request
   */
  async run({ url, requests, connections = 32, durationSec = 5, pipelining = 1, unique = false }) {
    let graphqlErrors = 0;
    let next = 0;
    /** @type {string | null} */
    let firstError = null;
    /**
     * @param {number} _status
     * @param {string} body
     */
    const onResponse = (_status, body) => {
      if (body && body.includes('"errors"')) {
        graphqlErrors++;
        firstError ??= body.slice(0, 300);
      }
    };
    const result = await autocannon({
      url,
      connections,
      pipelining,
      duration: durationSec,
      // unique: '[<id>]' in a body becomes a fresh value per request (autocannon's own idReplacement
      // would leave Content-Length at the placeholder's size).
      requests: requests.map((r) => ({
        ...r,
        onResponse,
        ...(unique
          ? {
              /** @param {autocannon.Request} req */
              setupRequest: (req) => ({ ...req, body: r.body.replace('[<id>]', `${process.pid}-${next++}`) }),
            }
          : {}),
      })),
    });
    return {
      requestsPerSecond: result.requests.average,
      total: result.requests.total,
      latency: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        mean: result.latency.mean,
      },
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      graphqlErrors,
      firstError,
      durationSec: result.duration,
    };
  },
};
/** @typedef {typeof methods} HttpLoad */

serve(methods);
