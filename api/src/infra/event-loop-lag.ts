/**
 * How late this process's event loop runs. When requests come faster than the instance serves them
 * (a peer instance died and its clients all came here, a backlog of retries after an outage), they
 * wait in socket buffers and in the loop, and a timer due every `intervalMs` fires late by about as
 * long as a request now waits before anything of it runs.
 */
export class EventLoopLag {
  private lastTick = performance.now();
  private lastLateMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs = 20) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastLateMs = now - this.lastTick - this.intervalMs;
      this.lastTick = now;
    }, intervalMs).unref();
  }

  /**
   * The lag now: how late the last tick fired, or, while the loop is too busy for the timer to have
   * fired since (one long turn of the loop, serving a queue of requests), how late the next tick
   * already is.
   */
  lagMs(): number {
    return Math.max(this.lastLateMs, performance.now() - this.lastTick - this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
