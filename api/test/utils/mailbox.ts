import path from 'node:path';
import type { Mail } from '../../src/infra/mail/mailer.port';
import { createOutboxMailer } from '../../src/infra/mail/mailer.outbox';
import type { TestBackend } from './backend';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { waitFor } from './wait-for';

export interface TestMailbox {
  /** Environment for the API instances (SMTP_URL on the real backend; nothing for the outbox). */
  env: Record<string, string>;
  /** The SMTP server on the real backend (to make it fail); undefined with the outbox. */
  smtp?: SmtpSink;
  /** Every mail delivered so far, oldest first. */
  all(): Promise<Mail[]>;
  /** Resolves with the first mail to `to` (after the first `skip` of them) matching `predicate`. */
  next(to: string, predicate?: (m: Mail) => boolean, options?: { skip?: number; timeoutMs?: number }): Promise<Mail>;
  close(): Promise<void>;
}

/**
 * Where a test reads the mails an API instance sends: a real in-process SMTP server on the real
 * backend, the dev outbox directory (DATA_DIR/outbox) on the embedded one.
 */
export async function createTestMailbox(backend: TestBackend): Promise<TestMailbox> {
  const smtp = backend.kind === 'real' ? await startSmtpSink() : undefined;
  const outbox = createOutboxMailer(path.join(backend.env.DATA_DIR!, 'outbox'), { from: '' });
  const all = async () => (smtp ? [...smtp.mails] : (await outbox.list()).reverse());
  return {
    env: smtp ? { SMTP_URL: smtp.url } : {},
    smtp,
    all,
    async next(to, predicate = () => true, { skip = 0, timeoutMs = 10_000 } = {}) {
      let found: Mail | undefined;
      await waitFor(
        async () => {
          found = (await all())
            .filter((m) => m.to === to)
            .slice(skip)
            .find(predicate);
          return found !== undefined;
        },
        { timeoutMs, intervalMs: 50, message: `a mail to ${to}` },
      );
      return found!;
    },
    close: async () => smtp?.close(),
  };
}

/** The 6-digit code in a mail. */
export function codeIn(mail: Mail): string {
  const match = /\b(\d{6})\b/.exec(mail.text);
  if (!match) throw new Error(`no 6-digit code in ${JSON.stringify(mail.text)}`);
  return match[1]!;
}
