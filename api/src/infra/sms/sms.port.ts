/** One text message to a phone number in E.164 (+821012345678). */
export interface Sms {
  to: string;
  text: string;
}

/**
 * Hands text messages to a transport. `send` resolves once the transport accepted the message (the
 * gateway answered 2xx, or the dev outbox file is written) and rejects otherwise; it never retries
 * by itself (the caller lets the user ask again). Sending the same message twice delivers it twice.
 */
export interface SmsSender {
  send(sms: Sms): Promise<void>;
  /** Releases what the adapter holds. Idempotent. */
  dispose(): Promise<void>;
}
