// SQL floor load generator: `run` repeats one statement with parameters drawn from a list, from
// `connections` mysql2 connections (closed loop), and reports statements/s and latency.
import { createRequire } from 'node:module';
import { latencySummary } from '../lib/util.mjs';
import { serve } from './serve.mjs';

const require = createRequire(import.meta.url);
const mysql = require('mysql2/promise');

serve({
  async run({ uri, sql, params, connections = 16, durationMs = 5000, expectRows }) {
    const conns = await Promise.all(Array.from({ length: connections }, () => mysql.createConnection({ uri })));
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
          if (expectRows !== undefined && rows.length !== expectRows) wrongRows++;
          done++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(conns.map((c) => c.end()));
    return { perSecond: done / seconds, total: done, latency: latencySummary(samples), wrongRows };
  },
});
