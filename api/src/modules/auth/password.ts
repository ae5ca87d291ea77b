import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters; stored with every hash so they can be raised later. */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. OWASP: 17 (N = 131072). */
  logN: number;
  /** Block size. OWASP: 8. */
  r: number;
  /** Parallelism. OWASP: 1. */
  p: number;
}

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  // scrypt needs 128 * N * r bytes; the default maxmem (32 MiB) is below OWASP's 128 MiB.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger)) return null;
  return { params: { logN, r, p }, salt: Buffer.from(parts[4]!, 'base64'), hash: Buffer.from(parts[5]!, 'base64') };
}

/** Hashes and verifies passwords with node:crypto scrypt, in the libuv thread pool. */
export class PasswordHasher {
  /** Verified against when the account does not exist, so unknown emails cost the same time. */
  private readonly dummy: Promise<string>;

  constructor(private readonly params: ScryptParams) {
    this.dummy = this.hash(randomBytes(16).toString('hex'));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await derive(password, salt, this.params);
    const { logN, r, p } = this.params;
    return ['scrypt', logN, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** Constant-time check; `stored` null means "no such account" and still spends a full derivation. */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const parsed = parse(stored ?? (await this.dummy));
    if (!parsed) return false;
    const key = await derive(password, parsed.salt, parsed.params);
    return stored !== null && key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  }

  /** True when a stored hash uses weaker parameters than the current ones (re-hash on next login). */
  needsRehash(stored: string): boolean {
    const parsed = parse(stored);
    if (!parsed) return true;
    const { logN, r, p } = parsed.params;
    return logN < this.params.logN || r < this.params.r || p < this.params.p;
  }
}
