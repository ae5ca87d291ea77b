import type { Mailer } from '../mail/mailer.port';
import type { SmsSender } from './sms.port';

/**
 * The embedded default's SMS transport: each message goes to the dev outbox (the same directory as
 * the dev mails, listed at `GET /dev/outbox` outside production) as an entry to the number, with
 * the subject `SMS`. Nothing leaves the machine.
 */
export function createOutboxSms(outbox: Mailer): SmsSender {
  return {
    send: ({ to, text }) => outbox.send({ to, subject: 'SMS', text }),
    async dispose() {},
  };
}
