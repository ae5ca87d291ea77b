import { createPublicKey, verify } from 'node:crypto';

/**
 * Checks a push's `Authorization: vapid t=<JWT>, k=<public key>` header (RFC 8292): the JWT is
 * ES256-signed by the key in `k`, which must be `publicKey`, for the endpoint's origin, not expired.
 * Returns its claims; throws saying what is wrong.
 */
export function verifyVapid(
  authorization: string | undefined,
  endpoint: string,
  publicKey: string,
): { aud: string; exp: number; sub: string } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [, token, key] = match as unknown as [string, string, string];
  if (key !== publicKey) throw new Error(`k=${key} is not the API's public key ${publicKey}`);
  const [header, claims, signature] = token.split('.') as [string, string, string];
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'ES256') throw new Error('alg is not ES256');
  const point = Buffer.from(key, 'base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  };
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('the VAPID JWT signature does not verify with k');
  const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; exp: number; sub: string };
  if (parsed.aud !== new URL(endpoint).origin) throw new Error(`aud ${parsed.aud} is not the endpoint's origin`);
  const now = Date.now() / 1000;
  if (!(parsed.exp > now && parsed.exp <= now + 24 * 3600)) throw new Error(`exp ${parsed.exp} is not within 24 h`);
  return parsed;
}
