/**
 * Blob storage for user media (profile photos, image messages): bytes under a key, plus a URL a
 * browser can GET for a limited time. The database keeps the keys; the bytes live here.
 *
 * Keys are `/`-separated segments of `[A-Za-z0-9._-]` (no empty, `.` or `..` segment, no leading or
 * trailing `/`), at most 512 characters: see `assertStorageKey`. Every method refuses any other key
 * with `InvalidStorageKeyError` before touching the backend. After `dispose()`, every method rejects.
 */
export interface Storage {
  /**
   * Stores `body` under `key` with its MIME `contentType`, replacing what was there. Atomic per key:
   * a concurrent `get` sees the old object or the new one, never a partial write. Resolves once the
   * object is durable on the backend.
   */
  put(key: string, body: Buffer, contentType: string): Promise<void>;

  /** The stored bytes and content type, or null when nothing is stored under `key`. */
  get(key: string): Promise<StoredObject | null>;

  /** Removes the object. Idempotent: deleting a missing key resolves. */
  delete(key: string): Promise<void>;

  /**
   * An absolute (or, for the disk adapter without a base URL, root-relative) URL that lets anyone
   * holding it GET the object's bytes, with its content type, for `ttlSeconds` seconds (a whole
   * number, 1..604800: seven days, S3's limit) and is refused afterwards or once tampered with.
   * Does not check that the object exists: a URL to a missing key answers 404 (or 403 on S3 without
   * list permission).
   */
  url(key: string, ttlSeconds: number): Promise<string>;

  /** Refuses further calls; releases nothing it was given (clients belong to the caller). Idempotent. */
  dispose(): Promise<void>;
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
}

/** The longest `url()` lifetime, in seconds (seven days, as for S3 presigned URLs). */
export const MAX_URL_TTL_SECONDS = 604_800;

const SEGMENT = /^[A-Za-z0-9._-]+$/;
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
  constructor(readonly key: string) {
    super(
      `invalid storage key ${JSON.stringify(key.slice(0, 80))}: expected "/"-separated segments of [A-Za-z0-9._-], no "." or ".."`,
    );
  }
}

/** Throws InvalidStorageKeyError unless `key` follows the key rules above. */
export function assertStorageKey(key: string): void {
  const valid =
    typeof key === 'string' &&
    key.length > 0 &&
    key.length <= 512 &&
    key.split('/').every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..');
  if (!valid) throw new InvalidStorageKeyError(String(key));
}

/** Throws RangeError unless `contentType` is a bare `type/subtype` (no parameters, no line breaks). */
export function assertContentType(contentType: string): void {
  if (!CONTENT_TYPE.test(contentType) || contentType.length > 127) {
    throw new RangeError(`invalid content type ${JSON.stringify(contentType)}: expected type/subtype`);
  }
}

/** Throws RangeError unless `ttlSeconds` is a whole number of seconds in 1..MAX_URL_TTL_SECONDS. */
export function assertUrlTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_URL_TTL_SECONDS) {
    throw new RangeError(`url ttlSeconds must be a whole number in 1..${MAX_URL_TTL_SECONDS}, got ${ttlSeconds}`);
  }
}

/** Options both adapters share. */
export interface StorageClockOptions {
  /** The clock URLs are signed with (tests move it to make expired URLs). @default () => new Date() */
  now?: () => Date;
}
