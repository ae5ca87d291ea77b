// SQL floor load generator: `run` repeats one statement with parameters drawn from a list, from
// `connections` mysql2 connections (closed loop), and reports statements/s and latency.
import mysql from 'mysql2/promise';
import { latencySummary } from '../lib/util.mjs';
import { serve } from './serve.mjs';

export const methods = {
  /**
   * @param {object} args
   * @param {string} args.uri
   * @param {string} args.sql
   * @param {unknown[][]} args.params one parameter list per statement, cycled
   * @param {number} [args.connections]
   * @param {number} [args.durationMs]
   * @param {number} [args.expectRows] rows each statement must return (counted in wrongRows otherwise)
   */
  async run({ uri, sql, params, connections = 16, durationMs = 5000, expectRows }) {
    const conns = await Promise.all(Array.from({ length: connections }, () => mysql.createConnection({ uri })));
    /** @type {number[]} */
    const samples = [];
    let done = 0;
    let wrongRows = 0;
    let next = 0;
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      conns.map(async (conn) => {
        while (performance.now() < until) {
          const p = params[next++ % params.length];
          const t0 = performance.now();
          const [rows] = await conn.query(sql, p);
          samples.push(performance.now() - t0);
          if (expectRows !== undefined && (!Array.isArray(rows) || rows.length !== expectRows)) wrongRows++;
          done++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(conns.map((c) => c.end()));
    return { perSecond: done / seconds, total: done, latency: latencySummary(samples), wrongRows };
  },
};
/** @typedef {typeof methods} MysqlLoad */

serve(methods);
