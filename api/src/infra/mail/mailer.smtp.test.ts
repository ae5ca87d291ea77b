import nodemailer from 'nodemailer';
import { startSmtpSink } from '../../../test/utils/smtp-sink';
import { mailerContract } from './mailer.contract';
import { createSmtpMailer } from './mailer.smtp';

mailerContract('SMTP', async () => {
  const sink = await startSmtpSink();
  return {
    mailer: createSmtpMailer(nodemailer.createTransport(sink.url), { from: 'randchat <no-reply@randchat.test>' }),
    received: async () => sink.mails,
    cleanup: () => sink.close(),
  };
});

describe('SMTP mailer', () => {
  it('rejects when the server refuses the mail, so the queue can retry', async () => {
    const sink = await startSmtpSink();
    const mailer = createSmtpMailer(nodemailer.createTransport(sink.url), { from: 'no-reply@randchat.test' });
    try {
      sink.failNext(1);
      await expect(mailer.send({ to: 'a@example.test', subject: 's', text: 't' })).rejects.toThrow(/451/);
      await mailer.send({ to: 'a@example.test', subject: 's', text: 't' });
      expect(sink.mails).toHaveLength(1);
    } finally {
      await mailer.dispose();
      await sink.close();
    }
  });
});
