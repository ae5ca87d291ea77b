import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Why a signed media URL was refused; `ok` when it may be served. */
export type UrlCheck = 'ok' | 'invalid' | 'expired';

/**
 * Signs and checks the disk adapter's media URLs: `sig = base64url(HMAC-SHA256(secret, key + "\n" + exp))`
 * where `exp` is the expiry in whole Unix seconds. The newline (never part of a key) keeps
 * ("a1", 23) and ("a", 123) apart.
 */
export interface UrlSigner {
  sign(key: string, exp: number): string;
  /** Checks the raw `exp` and `sig` query values against `key` at `nowSeconds`, in constant time. */
  check(key: string, exp: unknown, sig: unknown, nowSeconds: number): UrlCheck;
}

const EXP = /^\d{1,12}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;

/** `secret`: at least 32 bytes of key material. */
export function createUrlSigner(secret: Buffer): UrlSigner {
  if (secret.length < 32) throw new RangeError('the media URL signing secret must be at least 32 bytes');
  const mac = (key: string, exp: number) => createHmac('sha256', secret).update(`${key}\n${exp}`).digest();
  return {
    sign: (key, exp) => mac(key, exp).toString('base64url'),
    check(key, exp, sig, nowSeconds) {
      if (typeof exp !== 'string' || typeof sig !== 'string' || !EXP.test(exp) || !SIG.test(sig)) return 'invalid';
      const presented = Buffer.from(sig, 'base64url');
      const expected = mac(key, Number(exp));
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return 'invalid';
      return Number(exp) < nowSeconds ? 'expired' : 'ok';
    },
  };
}

/** Derives the media signing key from the JWT secret (HKDF-SHA256), so one secret serves every instance. */
export function deriveMediaSigningSecret(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'randchat', 'media-url-signing/v1', 32));
}
