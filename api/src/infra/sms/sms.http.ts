import type { SmsSender } from './sms.port';

export interface HttpSmsOptions {
  /** The gateway's endpoint: each message is one POST of JSON `{ to, from, text }`. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`; absent: no Authorization header. */
  apiKey?: string;
  /** The `from` of every message (a number or sender id the gateway knows); absent: omitted. */
  sender?: string;
  /** How long one POST may take, in milliseconds. @default 5000 */
  timeoutMs?: number;
}

/**
 * A generic HTTP SMS gateway: POST `url` with `content-type: application/json` and the body
 * `{ "to": "+821012345678", "from": "<sender>", "text": "..." }`. Any 2xx answer means accepted;
 * anything else (or no answer within `timeoutMs`) rejects with the status and the start of the body.
 */
export function createHttpSms(options: HttpSmsOptions): SmsSender {
  const { url, apiKey, sender, timeoutMs = 5000 } = options;
  return {
    async send({ to, text }) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: JSON.stringify({ to, ...(sender ? { from: sender } : {}), text }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const answer = await res.text();
      if (!res.ok) throw new Error(`SMS gateway answered ${res.status}: ${answer.slice(0, 200)}`);
    },
    async dispose() {},
  };
}
