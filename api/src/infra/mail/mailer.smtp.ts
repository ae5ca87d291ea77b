import type { Transporter } from 'nodemailer';
import type { Mail, Mailer } from './mailer.port';

export interface SmtpMailerOptions {
  /** The From header, e.g. `randchat <no-reply@example.com>`. */
  from: string;
}

/** Sends through an SMTP server with a nodemailer transporter built by the composition root. */
export function createSmtpMailer(transporter: Transporter, options: SmtpMailerOptions): Mailer {
  return {
    async send(mail: Mail) {
      await transporter.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
    },
    async dispose() {
      transporter.close();
    },
  };
}
