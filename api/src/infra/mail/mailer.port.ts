/** One email, plain text with an optional HTML alternative. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Hands mails to a transport. `send` resolves once the transport accepted the mail (the SMTP server
 * answered 250, or the dev outbox file is written) and rejects otherwise; it never retries by itself
 * (the mail queue does). Sending the same mail twice delivers it twice.
 */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  /** Closes pooled connections. Idempotent. */
  dispose(): Promise<void>;
}
