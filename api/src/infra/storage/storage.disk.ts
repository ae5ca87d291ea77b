import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { UrlSigner } from './url-signer';
import {
  assertContentType,
  assertStorageKey,
  assertUrlTtl,
  type Storage,
  type StorageClockOptions,
  type StoredObject,
} from './storage.port';

export interface DiskStorageOptions extends StorageClockOptions {
  /** Directory holding the objects (created on first put). Embedded default: `<DATA_DIR>/uploads`. */
  root: string;
  /** Signs `url()`s; the `/media` route checks them with the same secret. */
  signer: UrlSigner;
  /** Prefix of `url()`s, e.g. `https://api.example.com`. @default '' (root-relative `/media/...`) */
  baseUrl?: string;
}

/** The media route's path prefix; `url()` points there. */
export const MEDIA_ROUTE_PREFIX = '/media/';

// Each file holds one header line with the content type, then the bytes: one file, one atomic rename.
const HEADER_PREFIX = 'randchat-object/1 ';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Objects as files under `root` (one instance, or instances sharing one volume). Writes go to a
 * temporary file in the same directory and are renamed into place, so readers never see half an
 * object. Empty directories are removed on delete.
 */
export function createDiskStorage(options: DiskStorageOptions): Storage {
  const root = path.resolve(options.root);
  const now = options.now ?? (() => new Date());
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  let disposed = false;

  const fileOf = (key: string) => {
    if (disposed) throw new Error('Storage is disposed');
    assertStorageKey(key);
    const file = path.resolve(root, ...key.split('/'));
    // The key rules already exclude traversal; this keeps the guarantee local to the file system.
    if (!file.startsWith(root + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return file;
  };

  const writeAtomically = async (file: string, data: Buffer) => {
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    // A concurrent delete may remove the fresh directory between mkdir and open: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const handle = await open(temp, 'wx', 0o600);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, file);
        return;
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        if (!isMissing(err) || attempt >= 5) throw err;
      }
    }
  };

  const removeEmptyParents = async (file: string) => {
    for (let dir = path.dirname(file); dir !== root && dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  };

  return {
    async put(key, body, contentType) {
      const file = fileOf(key);
      assertContentType(contentType);
      await writeAtomically(file, Buffer.concat([Buffer.from(`${HEADER_PREFIX}${contentType}\n`), body]));
    },

    async get(key): Promise<StoredObject | null> {
      const file = fileOf(key);
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      const newline = data.indexOf(0x0a);
      const header = data.subarray(0, newline).toString('utf8');
      if (newline < 0 || !header.startsWith(HEADER_PREFIX)) throw new Error(`storage file for ${key} has no header`);
      return { contentType: header.slice(HEADER_PREFIX.length), body: data.subarray(newline + 1) };
    },

    async delete(key) {
      const file = fileOf(key);
      try {
        await unlink(file);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      await removeEmptyParents(file);
    },

    async url(key, ttlSeconds) {
      fileOf(key);
      assertUrlTtl(ttlSeconds);
      const exp = Math.floor(now().getTime() / 1000) + ttlSeconds;
      const sig = options.signer.sign(key, exp);
      return `${baseUrl}${MEDIA_ROUTE_PREFIX}${key}?exp=${exp}&sig=${sig}`;
    },

    async dispose() {
      disposed = true;
    },
  };
}
