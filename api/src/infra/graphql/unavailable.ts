import { DeadlineExceededError, StatementTimeoutError } from '../deadlines';
import { UnavailableError } from './errors';

/** Error codes of the database drivers (mariadb, mysql2, better-sqlite3) and of node:net for a backend that is away. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTCONN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_CONNECTION_TIMEOUT',
  'ER_GET_CONNECTION_TIMEOUT',
  'ER_CMD_CONNECTION_CLOSED',
  'ER_CONNECTION_ALREADY_CLOSED',
  'ER_SOCKET_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/** Error classes (by name) of the ORM, the pool and ioredis for a backend that is away or too slow. */
const UNAVAILABLE_NAMES = new Set([
  'ConnectionException',
  'LockWaitTimeoutException',
  'DeadlockException',
  'KnexTimeoutError',
  'TimeoutError',
  'MaxRetriesPerRequestError',
]);

/**
 * Plain messages of a backend that is away or too slow: ioredis rejects with plain Errors, and the ORM
 * wraps knex's pool errors into a DriverException that keeps only its message (a pool timeout, or
 * `aborted` for a wait cut short because the pool is being destroyed: the instance is stopping).
 */
const UNAVAILABLE_MESSAGE =
  /^(Command timed out|Connection is closed\.|Stream isn't writeable|Reached the max retries per request limit|aborted$)|Timeout acquiring a connection/;

/**
 * How long a client should wait before retrying after a backend failure: 0.25–0.75 s, drawn per
 * answer. Clients that were all refused by one outage and all waited the same time would come back
 * together, as a wave on a backend that has just recovered; the jitter spreads them out. Short,
 * because the wait is what a user waits after an outage ends (a catch-up, a send) before the next
 * attempt can see that it did; an overloaded instance refuses sheddable work cheaply meanwhile.
 */
function retryAfterMs(): number {
  return 250 + Math.round(Math.random() * 500);
}

/**
 * The answer of a sheddable operation refused because this instance is overloaded: nothing of it
 * ran, so a retry is always safe.
 */
export function overloadedError(): UnavailableError {
  return new UnavailableError('This server is busy; retry shortly', retryAfterMs());
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e && typeof e === 'object' && chain.length < 5;) {
    chain.push(e);
    const next =
      (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
    if (next === e) break;
    e = next;
  }
  return chain;
}

function isBackendFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, name } = err as Error & { code?: unknown };
  return (
    err instanceof StatementTimeoutError ||
    (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) ||
    UNAVAILABLE_NAMES.has(name) ||
    UNAVAILABLE_MESSAGE.test(err.message)
  );
}

/**
 * The client-facing UNAVAILABLE error for a failure that means a backend (database, Redis) is down or
 * did not answer in time, or null for anything else (which stays INTERNAL_SERVER_ERROR). When the
 * write may have happened anyway (a COMMIT or an operation given up mid-way), it says so with
 * `outcome: 'UNKNOWN'`: a send retried with its clientMessageId is then answered with the stored one.
 */
export function unavailableFrom(err: unknown): UnavailableError | null {
  if (err instanceof UnavailableError) return err;
  const chain = causes(err);
  const deadline = chain.find((e): e is DeadlineExceededError => e instanceof DeadlineExceededError);
  if (deadline) {
    return new UnavailableError(
      'The service is too slow to answer right now; retry shortly',
      retryAfterMs(),
      deadline.mayHaveTakenEffect ? { outcome: 'UNKNOWN' } : {},
    );
  }
  if (!chain.some(isBackendFailure)) return null;
  const unknown = chain.some((e) => e instanceof StatementTimeoutError && e.commitSent);
  return new UnavailableError(
    'A backend of the service is unavailable; retry shortly',
    retryAfterMs(),
    unknown ? { outcome: 'UNKNOWN' } : {},
  );
}
