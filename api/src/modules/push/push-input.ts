import { BadUserInputError } from '../../infra/graphql/errors';
import { hasCharacterNotInName, hasVisibleCharacter } from '../../infra/text';
import { MAX_ENDPOINT_LENGTH } from './push-subscription.entity';
import type { PushSubscriptionInput } from './push.inputs';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
export const MAX_DEVICE_LABEL = 60;

/** Bytes of URL-safe base64 without padding, or -1 when it is not that. */
const decodedLength = (value: string) => (BASE64URL.test(value) ? Buffer.from(value, 'base64url').length : -1);

/**
 * A subscription as the browser gives it, checked: an https endpoint (http to a loopback host only
 * when `allowLoopbackHttp`: development and tests), a P-256 point and a 16-byte auth secret, a label.
 * Each problem is a BAD_USER_INPUT naming the field.
 */
export function checkedSubscription(input: PushSubscriptionInput, allowLoopbackHttp: boolean) {
  const endpoint = input.endpoint.trim();
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    // reported below
  }
  const secure =
    url?.protocol === 'https:' || (allowLoopbackHttp && url?.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!url || !secure || url.username || url.password)
    throw new BadUserInputError(`endpoint must be an https URL, got "${endpoint.slice(0, 100)}"`, 'endpoint');
  if (endpoint.length > MAX_ENDPOINT_LENGTH)
    throw new BadUserInputError(
      `endpoint must be at most ${MAX_ENDPOINT_LENGTH} characters, got ${endpoint.length}`,
      'endpoint',
    );
  const p256dh = input.keys.p256dh.trim();
  const p256dhBytes = decodedLength(p256dh);
  if (p256dhBytes !== 65 || Buffer.from(p256dh, 'base64url')[0] !== 0x04)
    throw new BadUserInputError(
      `keys.p256dh must be an uncompressed P-256 point: 65 bytes in URL-safe base64, got ${p256dhBytes < 0 ? 'other characters' : `${p256dhBytes} bytes`}`,
      'keys.p256dh',
    );
  const auth = input.keys.auth.trim();
  const authBytes = decodedLength(auth);
  if (authBytes !== 16)
    throw new BadUserInputError(
      `keys.auth must be 16 bytes in URL-safe base64, got ${authBytes < 0 ? 'other characters' : `${authBytes} bytes`}`,
      'keys.auth',
    );
  const deviceLabel = input.deviceLabel.trim();
  const labelLength = [...deviceLabel].length;
  if (
    labelLength < 1 ||
    labelLength > MAX_DEVICE_LABEL ||
    !hasVisibleCharacter(deviceLabel) ||
    hasCharacterNotInName(deviceLabel)
  )
    throw new BadUserInputError(
      `deviceLabel must be 1 to ${MAX_DEVICE_LABEL} visible characters without control characters, got ${labelLength}`,
      'deviceLabel',
    );
  return { endpoint, p256dh, auth, deviceLabel, previews: input.previews };
}
