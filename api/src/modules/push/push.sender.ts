import webpush from 'web-push';
import type { VapidKeys } from '../../infra/vapid-keys';
import type { PushPayload } from './push.payload';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** `gone`: the push service no longer knows the subscription (404, 410): delete it. */
export type Delivery =
  { outcome: 'sent' } | { outcome: 'gone'; status: number } | { outcome: 'failed'; status: number };

export interface PushSenderOptions {
  vapid: VapidKeys & { subject: string };
  /** Deadline of one POST to a push service, in milliseconds. @default 5000 */
  timeoutMs?: number;
}

/**
 * One Web Push: the payload encrypted for the device (RFC 8291, aes128gcm) with a VAPID token
 * (RFC 8292) by web-push's generateRequestDetails, POSTed with fetch under a deadline. A network
 * error or the deadline rejects; the caller logs it and does not retry.
 */
export function createPushSender(options: PushSenderOptions) {
  const { vapid, timeoutMs = 5000 } = options;
  return async function send(target: PushTarget, payload: PushPayload, ttlSeconds: number): Promise<Delivery> {
    const request = webpush.generateRequestDetails(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      JSON.stringify(payload),
      {
        vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: ttlSeconds,
        urgency: 'high',
        contentEncoding: 'aes128gcm',
      },
    );
    // fetch sets Content-Length itself from the body.
    const headers = Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]): [string, string] => [name, String(value)]);
    const response = await fetch(request.endpoint, {
      method: request.method,
      headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await response.body?.cancel();
    if (response.ok) return { outcome: 'sent' };
    if (response.status === 404 || response.status === 410) return { outcome: 'gone', status: response.status };
    return { outcome: 'failed', status: response.status };
  };
}

export type PushSend = ReturnType<typeof createPushSender>;
