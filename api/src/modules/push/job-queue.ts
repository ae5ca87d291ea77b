export interface JobQueueOptions {
  /** Jobs running at once. @default 8 */
  concurrency?: number;
  /** Jobs waiting beyond this are refused (`add` answers false). @default 1000 */
  maxQueued?: number;
  /** Told of a job that threw (jobs are not retried). */
  onError: (err: unknown) => void;
}

/**
 * Background work with a bound on both what runs and what waits, so that a slow push service
 * never piles up memory or connections: a burst beyond `maxQueued` is dropped, not delayed.
 */
export class JobQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: JobQueueOptions) {}

  /** Queues `job`; false when the queue is full (the job is dropped). */
  add(job: () => Promise<void>): boolean {
    if (this.waiting.length >= (this.options.maxQueued ?? 1000)) return false;
    this.waiting.push(job);
    this.next();
    return true;
  }

  /** Resolves once nothing runs or waits (graceful shutdown). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private next(): void {
    while (this.running < (this.options.concurrency ?? 8) && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running += 1;
      job()
        .catch((err: unknown) => this.options.onError(err))
        .finally(() => {
          this.running -= 1;
          this.next();
          if (this.running === 0 && this.waiting.length === 0) for (const done of this.idleWaiters.splice(0)) done();
        });
    }
  }
}
