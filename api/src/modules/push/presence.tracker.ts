import type { Logger } from '../../infra/logger';
import type { Presence } from './presence.port';

/**
 * How long (ms) a socket's acknowledgement waits for its user's first hold: a message sent after
 * the ack then finds them online, and a slow Redis delays a connect by this much at most.
 */
const HOLD_WAIT_MS = 250;

/**
 * This instance's side of presence: told when a user's first socket here opens and their last one
 * closes, it holds them in the presence port and renews every hold each `renewMs` (a third of the
 * port's TTL, so one lost renewal never makes anyone look offline). Presence errors are logged: a
 * user wrongly offline gets a push too many, never a message too few.
 */
export class PresenceTracker {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly presence: Presence,
    private readonly options: { renewMs: number; logger: Logger },
  ) {}

  /**
   * `open`: the user's first socket on this instance opened; else their last one closed. Resolves
   * once an opening's hold is written, or after `HOLD_WAIT_MS` (the hold goes on); never rejects.
   */
  async change(userId: string, open: boolean): Promise<void> {
    if (!open) {
      this.held.delete(userId);
      this.presence.release(userId).catch((err: unknown) => this.failed(err));
      if (this.held.size === 0) this.stop();
      return;
    }
    this.held.add(userId);
    this.timer ??= setInterval(() => this.renew(), this.options.renewMs).unref();
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      this.presence.hold([userId]).catch((err: unknown) => this.failed(err)),
      new Promise<void>((resolve) => (waited = setTimeout(resolve, HOLD_WAIT_MS))),
    ]);
    clearTimeout(waited);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private renew(): void {
    this.presence.hold([...this.held]).catch((err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    this.options.logger.warn({ err }, 'presence update failed');
  }
}
