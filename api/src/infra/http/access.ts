import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The caller's `X-Request-Id` when it is a sane token, otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

export interface AccessRecord {
  requestId: string;
  method: string;
  /** The metric's route label: a route pattern, never a raw path. */
  route: string;
  /** The path as requested, without the query string (it may carry signatures). */
  path: string;
  status: number;
  /** `process.hrtime.bigint()` when the request arrived. */
  started: bigint;
}

/**
 * The one access-log line and latency sample of every HTTP request, GraphQL or not. The line holds
 * only the fixed fields above (no headers, no query string, no body), so it is written by a child
 * logger without the root's redaction paths: matching them costs about twice the rest of the line.
 */
export function createAccessLog(metrics: Metrics, logger: Logger): (record: AccessRecord) => void {
  const lines = logger.child({}, { redact: [] });
  return (r) => {
    const seconds = Number(process.hrtime.bigint() - r.started) / 1e9;
    metrics.httpDuration.observe({ method: r.method, route: r.route, status: String(r.status) }, seconds);
    lines.info(
      { requestId: r.requestId, method: r.method, path: r.path, status: r.status, ms: Math.round(seconds * 1000) },
      'http',
    );
  };
}
