import { randomBytes } from 'node:crypto';
import { createUrlSigner, deriveMediaSigningSecret } from './url-signer';

describe('media URL signer', () => {
  const signer = createUrlSigner(randomBytes(32));
  const now = 1_700_000_000;

  it('accepts its own signature until the expiry second, then reports it expired', () => {
    const sig = signer.sign('u/1/full.webp', now + 10);
    expect(signer.check('u/1/full.webp', String(now + 10), sig, now + 10)).toBe('ok');
    expect(signer.check('u/1/full.webp', String(now + 10), sig, now + 11)).toBe('expired');
  });

  it('binds the signature to both the key and the expiry, kept apart by a separator', () => {
    const sig = signer.sign('u/a1', 23);
    expect(signer.check('u/a', '123', sig, 0)).toBe('invalid');
    expect(signer.check('u/a1', '24', sig, 0)).toBe('invalid');
    expect(signer.check('u/a2', '23', sig, 0)).toBe('invalid');
  });

  it('refuses malformed or missing query values without comparing them', () => {
    const sig = signer.sign('k', now);
    for (const [exp, s] of [
      [undefined, sig],
      [String(now), undefined],
      [[String(now)], sig],
      ['1e9', sig],
      [String(now), `${sig}A`],
      [String(now), sig.slice(1)],
    ]) {
      expect(signer.check('k', exp, s, 0)).toBe('invalid');
    }
  });

  it('refuses a short secret, and derives the same 32-byte key from the same JWT secret', () => {
    expect(() => createUrlSigner(Buffer.alloc(16))).toThrow(RangeError);
    const jwt = 'j'.repeat(48);
    expect(deriveMediaSigningSecret(jwt)).toEqual(deriveMediaSigningSecret(jwt));
    expect(deriveMediaSigningSecret(jwt)).toHaveLength(32);
    expect(deriveMediaSigningSecret(jwt).equals(deriveMediaSigningSecret(`${jwt}x`))).toBe(false);
  });
});
