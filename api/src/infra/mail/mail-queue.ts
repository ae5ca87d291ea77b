import type { Em, Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { Mail, Mailer } from './mailer.port';
import { OutgoingMail } from './outgoing-mail.entity';

export interface MailQueueOptions {
  /** Milliseconds between two scans for due mails (retries, mails left by a crashed instance). @default 5000 */
  pollIntervalMs?: number;
  /** Attempts before a mail is marked failed and left for operators. @default 8 */
  maxAttempts?: number;
  /** Delay before the first retry, doubled on each further one, capped at one hour. @default 5000 */
  retryBaseMs?: number;
  /** How long one instance owns a mail it is sending; after that another may retry it. @default 60000 */
  claimMs?: number;
  onSent?: () => void;
  onFailure?: () => void;
}

const BATCH = 20;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * Durable, retried mail delivery (a transactional outbox). `enqueue` persists the mail in the
 * caller's unit of work, so it exists exactly when the caller's transaction commits; `kick()` after
 * the commit sends it at once, and every instance's poll loop retries what failed or was left by a
 * crashed instance. A mail is claimed by one instance at a time (a conditional UPDATE), deleted once
 * sent, and retried with exponential backoff; each failure is logged and counted, and after
 * `maxAttempts` the row stays with `failedAt` and `lastError` for operators.
 */
export class MailQueue {
  private readonly options: Required<Omit<MailQueueOptions, 'onSent' | 'onFailure'>> & MailQueueOptions;
  private timer?: NodeJS.Timeout;
  private draining: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly orm: Orm,
    private readonly mailer: Mailer,
    private readonly logger: Logger,
    options: MailQueueOptions = {},
  ) {
    this.options = { pollIntervalMs: 5000, maxAttempts: 8, retryBaseMs: 5000, claimMs: 60_000, ...options };
  }

  /** Adds the mail to `em`'s unit of work; it is stored by the caller's flush or transaction. */
  enqueue(em: Em, mail: Mail): void {
    em.persist(new OutgoingMail(mail));
  }

  /** Deletes every mail not yet sent to `recipient`, in the caller's transaction (the address is being erased). */
  async forget(em: Em, recipient: string): Promise<void> {
    await em.nativeDelete(OutgoingMail, { recipient });
  }

  /** Sends what is due now, without waiting for the poll loop. Resolves when this pass is done. */
  kick(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        await this.drain();
      } while (this.again);
    })()
      .catch((err: unknown) => this.logger.error({ err }, 'mail queue pass failed'))
      .finally(() => (this.draining = null));
    return this.draining;
  }

  start(): void {
    this.timer = setInterval(() => void this.kick(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** Stops polling and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.draining;
  }

  private async drain(): Promise<void> {
    const em = this.orm.em.fork();
    const now = new Date();
    const due = await em.find(
      OutgoingMail,
      { failedAt: null, nextAttemptAt: { $lte: now }, $or: [{ claimedUntil: null }, { claimedUntil: { $lt: now } }] },
      { orderBy: { createdAt: 'asc' }, limit: BATCH },
    );
    for (const mail of due) await this.attempt(em, mail, now);
    if (due.length === BATCH) this.again = true;
  }

  private async attempt(em: Em, mail: OutgoingMail, now: Date): Promise<void> {
    const attempts = mail.attempts + 1;
    const claimed = await em.nativeUpdate(
      OutgoingMail,
      { id: mail.id, attempts: mail.attempts, failedAt: null },
      { attempts, claimedUntil: new Date(now.getTime() + this.options.claimMs) },
    );
    if (claimed === 0) return;
    try {
      await this.mailer.send({
        to: mail.recipient,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
      });
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      const giveUp = attempts >= this.options.maxAttempts;
      const retryIn = Math.min(MAX_BACKOFF_MS, this.options.retryBaseMs * 2 ** (attempts - 1));
      this.options.onFailure?.();
      this.logger.error(
        { mailId: mail.id, attempts, giveUp, error: message },
        giveUp ? 'mail delivery failed for good' : 'mail delivery failed; will retry',
      );
      await em.nativeUpdate(
        OutgoingMail,
        { id: mail.id },
        giveUp
          ? { claimedUntil: null, lastError: message, failedAt: new Date() }
          : { claimedUntil: null, lastError: message, nextAttemptAt: new Date(Date.now() + retryIn) },
      );
      return;
    }
    await em.nativeDelete(OutgoingMail, { id: mail.id });
    this.options.onSent?.();
    this.logger.info({ mailId: mail.id, attempts }, 'mail sent');
  }
}
