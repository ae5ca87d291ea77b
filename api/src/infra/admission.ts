import { overloadedError } from './graphql/unavailable';

/**
 * Admission for one kind of work that arrives in bursts (a subscription's set-up: every open
 * socket subscribes again at once after a restart or a reconnect storm): at most `limit` run at
 * once on this instance, and a call beyond that is refused at once with UNAVAILABLE (a short
 * retryAfterMs) before it touches a backend.
 *
 * Without it, the whole burst queues for the database pool; when the queue holds more than the
 * pool can serve within its wait limit (DATABASE_TIMEOUT), nearly every waiter times out, each one
 * costing the instance a full attempt, and the clients' retries keep the queue that long: the
 * instance does little useful work for as long as the storm lasts. Refused early, the admitted
 * calls finish in time and the rest come back later (clients back off).
 */
export class Admission {
  private active = 0;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`expected a positive limit, got ${limit}`);
  }

  /** Runs `work` when fewer than `limit` are running; otherwise rejects with UnavailableError. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) throw overloadedError();
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
    }
  }
}
