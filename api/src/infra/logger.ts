import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never written to logs, whatever a caller passes in. */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'latitude',
  'longitude',
  '*.latitude',
  '*.longitude',
  'variables',
  '*.variables',
];

/**
 * Logs to `destination`, or to stdout without blocking: a write in flight does not stall the event
 * loop, lines logged meanwhile go out together in the next write, and pino flushes what is left
 * when the process exits. (Synchronous writes to stdout, one per access-log line, were a visible
 * share of every request's CPU time.)
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'randchat-api' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
