import { randomBytes } from 'node:crypto';
import { startTestS3, type TestS3 } from '../../../test/utils/s3';
import { storageContract } from './storage.contract';
import { createS3Storage } from './storage.s3';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(() => s3.close());

// Objects are deleted by s3.close() with the whole bucket directory.
storageContract(
  's3 (s3rver)',
  async (options = {}) => ({
    storage: createS3Storage(s3.client(), { bucket: s3.bucket, now: options.now }),
    cleanup: async () => undefined,
  }),
  { verifiesSignatures: false },
);

describe('S3 storage', () => {
  it('stores objects with private, immutable one-year caching', async () => {
    const storage = createS3Storage(s3.client(), { bucket: s3.bucket });
    const key = `u/${randomBytes(8).toString('hex')}/full.webp`;
    await storage.put(key, Buffer.from('RIFF....WEBP'), 'image/webp');
    const res = await fetch(await storage.url(key, 60));
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
  });

  it('presigns for exactly the requested lifetime without revealing the secret key', async () => {
    const storage = createS3Storage(s3.client(), { bucket: s3.bucket });
    const url = new URL(await storage.url('u/x/full.webp', 900));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.toString()).not.toContain('S3RVER&');
    expect(url.pathname).toBe(`/${s3.bucket}/u/x/full.webp`);
  });
});
