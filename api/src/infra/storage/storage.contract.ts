import { randomBytes } from 'node:crypto';
import { InvalidStorageKeyError, type Storage } from './storage.port';

export interface StorageUnderTest {
  storage: Storage;
  /** Removes what the factory created (files, buckets, servers). */
  cleanup(): Promise<void>;
}

export interface StorageFactoryOptions {
  /** The clock the adapter signs URLs with. */
  now?: () => Date;
}

export interface StorageContractOptions {
  /**
   * Whether the backend serving `url()`s checks their signature. Real S3 and the disk route do;
   * s3rver (the in-process fake) checks expiry but skips SigV4 signature verification.
   * @default true
   */
  verifiesSignatures?: boolean;
}

const png = (): Buffer => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64)]);
const key = (name = 'full.webp') => `u/${randomBytes(8).toString('hex')}/${name}`;

/** Flips one character of the signature query parameter (`sig`, or S3's `X-Amz-Signature`). */
function tamperSignature(url: string): string {
  const parsed = new URL(url);
  const name = parsed.searchParams.has('sig') ? 'sig' : 'X-Amz-Signature';
  const sig = parsed.searchParams.get(name)!;
  const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  parsed.searchParams.set(name, flipped);
  return parsed.toString();
}

/**
 * The behaviour every Storage adapter must show. `make` is called for each test and must give a
 * storage whose `url()`s are absolute and served (a test fetches them).
 */
export function storageContract(
  name: string,
  make: (options?: StorageFactoryOptions) => Promise<StorageUnderTest>,
  contractOptions: StorageContractOptions = {},
): void {
  const { verifiesSignatures = true } = contractOptions;

  describe(`Storage contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    const storage = async (options?: StorageFactoryOptions): Promise<Storage> => {
      const created = await make(options);
      cleanups.push(() => created.cleanup());
      return created.storage;
    };

    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });

    describe('objects', () => {
      it('returns the bytes and content type that were put', async () => {
        const s = await storage();
        const k = key();
        const body = png();
        await s.put(k, body, 'image/webp');
        expect(await s.get(k)).toEqual({ body, contentType: 'image/webp' });
      });

      it('keeps every byte value and an empty body intact', async () => {
        const s = await storage();
        const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        await s.put('bytes/all', all, 'application/octet-stream');
        await s.put('bytes/empty', Buffer.alloc(0), 'text/plain');
        expect((await s.get('bytes/all'))?.body.equals(all)).toBe(true);
        expect((await s.get('bytes/empty'))?.body.length).toBe(0);
      });

      it('replaces an object put again under the same key', async () => {
        const s = await storage();
        const k = key();
        await s.put(k, Buffer.from('first'), 'text/plain');
        await s.put(k, Buffer.from('second'), 'image/png');
        expect(await s.get(k)).toEqual({ body: Buffer.from('second'), contentType: 'image/png' });
      });

      it('answers null for a key never put', async () => {
        const s = await storage();
        expect(await s.get(key())).toBeNull();
      });

      it('deletes an object, idempotently, and keeps its siblings', async () => {
        const s = await storage();
        const dir = `u/${randomBytes(8).toString('hex')}`;
        await s.put(`${dir}/full.webp`, png(), 'image/webp');
        await s.put(`${dir}/thumb.webp`, png(), 'image/webp');
        await s.delete(`${dir}/full.webp`);
        await s.delete(`${dir}/full.webp`);
        await s.delete(key());
        expect(await s.get(`${dir}/full.webp`)).toBeNull();
        expect(await s.get(`${dir}/thumb.webp`)).not.toBeNull();
      });

      it('survives concurrent puts and deletes under one prefix', async () => {
        const s = await storage();
        const keys = Array.from({ length: 12 }, (_, i) => `shared/${i}.bin`);
        await Promise.all(keys.map((k) => s.put(k, Buffer.from(k), 'application/octet-stream')));
        await Promise.all(
          keys.map((k, i) => (i % 2 ? s.delete(k) : s.put(k, Buffer.from(`${k}!`), 'application/octet-stream'))),
        );
        const bodies = await Promise.all(keys.map(async (k) => (await s.get(k))?.body.toString() ?? null));
        expect(bodies).toEqual(keys.map((k, i) => (i % 2 ? null : `${k}!`)));
      });
    });

    describe('keys', () => {
      const invalid = [
        '',
        '/abs',
        'trailing/',
        'a//b',
        '../escape',
        'a/../../b',
        './a',
        'a\\b',
        'sp ace',
        'nul\0',
        'é',
        'a\nb',
        'x'.repeat(513),
      ];

      const label = (k: string) => (k.length > 40 ? `of ${k.length} characters` : JSON.stringify(k));
      it.each(invalid.map((k) => [label(k), k]))(
        'refuses the key %s in put, get, delete and url',
        async (_label, bad) => {
          const s = await storage();
          await expect(s.put(bad, png(), 'image/png')).rejects.toBeInstanceOf(InvalidStorageKeyError);
          await expect(s.get(bad)).rejects.toBeInstanceOf(InvalidStorageKeyError);
          await expect(s.delete(bad)).rejects.toBeInstanceOf(InvalidStorageKeyError);
          await expect(s.url(bad, 60)).rejects.toBeInstanceOf(InvalidStorageKeyError);
        },
      );

      it('refuses a content type that is not a bare type/subtype', async () => {
        const s = await storage();
        for (const bad of ['', 'image', 'text/html\nx-evil: 1', 'image/png; charset=utf-8']) {
          await expect(s.put(key(), png(), bad)).rejects.toThrow(RangeError);
        }
      });
    });

    describe('urls', () => {
      it('gives a URL that serves the bytes with their content type', async () => {
        const s = await storage();
        const k = key();
        const body = png();
        await s.put(k, body, 'image/png');
        const res = await fetch(await s.url(k, 60));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/png');
        expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
      });

      it('gives a URL that is refused for a missing object', async () => {
        const s = await storage();
        const res = await fetch(await s.url(key(), 60));
        expect([403, 404]).toContain(res.status);
      });

      it('refuses a URL once it has expired', async () => {
        // Signed two hours ago for one minute.
        const s = await storage({ now: () => new Date(Date.now() - 7_200_000) });
        const k = key();
        await s.put(k, png(), 'image/png');
        const res = await fetch(await s.url(k, 60));
        expect(res.status).toBe(403);
      });

      (verifiesSignatures ? it : it.skip)('refuses a URL whose signature was tampered with', async () => {
        const s = await storage();
        const k = key();
        await s.put(k, png(), 'image/png');
        const res = await fetch(tamperSignature(await s.url(k, 60)));
        expect(res.status).toBe(403);
      });

      it('refuses a lifetime that is not 1..604800 whole seconds', async () => {
        const s = await storage();
        for (const ttl of [0, -1, 1.5, 604_801, Number.NaN])
          await expect(s.url(key(), ttl)).rejects.toThrow(RangeError);
        await expect(s.url(key(), 604_800)).resolves.toMatch(/^https?:\/\//);
      });
    });

    describe('dispose', () => {
      it('is idempotent and refuses every call afterwards', async () => {
        const s = await storage();
        await s.dispose();
        await s.dispose();
        await expect(s.put(key(), png(), 'image/png')).rejects.toThrow('disposed');
        await expect(s.get(key())).rejects.toThrow('disposed');
        await expect(s.delete(key())).rejects.toThrow('disposed');
        await expect(s.url(key(), 60)).rejects.toThrow('disposed');
      });
    });
  });
}
