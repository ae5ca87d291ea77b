import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Mail } from '../../src/infra/mail/mailer.port';

export interface SmtpSink {
  /** smtp://127.0.0.1:<port> */
  url: string;
  /** Every mail received so far, parsed, in arrival order. */
  mails: Mail[];
  /** Answer the next `count` mails with a 451 temporary failure (to test retries). */
  failNext(count: number): void;
  close(): Promise<void>;
}

/** A real SMTP server on a free port that keeps and parses what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: Mail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            const to = session.envelope.rcptTo.map((r) => r.address).join(',');
            mails.push({ to, subject: parsed.subject ?? '', text: parsed.text ?? '', html: parsed.html || undefined });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext: (count) => (failures = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
