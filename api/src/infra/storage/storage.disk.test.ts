import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { createMediaRouter } from '../http/media-route';
import { createDiskStorage } from './storage.disk';
import { storageContract } from './storage.contract';
import type { Storage } from './storage.port';
import { createUrlSigner } from './url-signer';

const signer = createUrlSigner(randomBytes(32));
const roots: string[] = [];
let server: Server;
let baseUrl: string;
/** The storage the media route serves from; each test points it at its own root. */
let served: Storage;

beforeAll(async () => {
  const app = express();
  app.use(createMediaRouter({ storage: { get: (key) => served.get(key) } as Storage, signer }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** GET with the path sent exactly as written. */
function rawGetStatus(rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const req = request({ hostname, port, path: rawPath }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function diskStorage(now?: () => Date) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'randchat-storage-'));
  roots.push(root);
  // The route reads the files, not the adapter instance: a disposed storage stays servable.
  const reader = createDiskStorage({ root, signer, baseUrl });
  served = reader;
  return { root, storage: createDiskStorage({ root, signer, baseUrl, now }) };
}

storageContract('disk', async (options = {}) => {
  const { root, storage } = diskStorage(options.now);
  return { storage, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
});

describe('disk storage and the /media route', () => {
  const put = async () => {
    const { root, storage } = diskStorage();
    const key = `u/${randomBytes(8).toString('hex')}/full.webp`;
    await storage.put(key, Buffer.from('RIFF....WEBP'), 'image/webp');
    return { root, storage, key };
  };

  it('serves with private immutable caching until the expiry and nosniff', async () => {
    const { storage, key } = await put();
    const res = await fetch(await storage.url(key, 600));
    expect(res.status).toBe(200);
    const maxAge = Number(/^private, max-age=(\d+), immutable$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(598);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 403 FORBIDDEN with a coded JSON error, and never caches it', async () => {
    const { storage, key } = await put();
    const url = new URL(await storage.url(key, 60));
    url.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
  });

  it('refuses a signature moved to another key, and links without exp or sig', async () => {
    const { storage, key } = await put();
    const other = `u/${randomBytes(8).toString('hex')}/full.webp`;
    await storage.put(other, Buffer.from('other'), 'image/webp');
    const url = new URL(await storage.url(key, 60));
    const moved = `${baseUrl}/media/${other}${url.search}`;
    expect((await fetch(moved)).status).toBe(403);
    expect((await fetch(`${baseUrl}/media/${key}`)).status).toBe(403);
    expect((await fetch(`${baseUrl}/media/${key}?exp=${url.searchParams.get('exp')}`)).status).toBe(403);
  });

  it('refuses traversal out of the storage root even with a signature made for it', async () => {
    const { storage } = await put();
    const exp = Math.floor(Date.now() / 1000) + 60;
    // Raw paths: fetch would normalise the dot segments away before sending.
    for (const [rawPath, key] of [
      ['..%2F..%2Fetc%2Fpasswd', '../../etc/passwd'],
      ['u/../../outside', 'u/../../outside'],
    ] as const) {
      expect(await rawGetStatus(`/media/${rawPath}?exp=${exp}&sig=${signer.sign(key, exp)}`)).toBe(403);
    }
    await expect(storage.get('../outside')).rejects.toThrow('invalid storage key');
  });

  it('answers 404 NOT_FOUND for a valid link to a deleted object, and removes its empty directory', async () => {
    const { root, storage, key } = await put();
    const url = await storage.url(key, 60);
    await storage.delete(key);
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'NOT_FOUND',
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('gives root-relative URLs without a base URL', async () => {
    const { root } = await put();
    const storage = createDiskStorage({ root, signer, now: () => new Date(1_700_000_000_000) });
    expect(await storage.url('u/x/full.webp', 60)).toBe(
      `/media/u/x/full.webp?exp=1700000060&sig=${signer.sign('u/x/full.webp', 1_700_000_060)}`,
    );
  });
});
