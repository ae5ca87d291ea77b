import type { Logger } from '../../infra/logger';
import type { Presence } from './presence.port';

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

  /** `open`: the user's first socket on this instance opened; else their last one closed. */
  change(userId: string, open: boolean): void {
    if (open) {
      this.held.add(userId);
      this.presence.hold([userId]).catch((err: unknown) => this.failed(err));
      this.timer ??= setInterval(() => this.renew(), this.options.renewMs).unref();
    } else {
      this.held.delete(userId);
      this.presence.release(userId).catch((err: unknown) => this.failed(err));
      if (this.held.size === 0) this.stop();
    }
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
