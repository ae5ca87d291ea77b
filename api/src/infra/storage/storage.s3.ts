import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  assertContentType,
  assertStorageKey,
  assertUrlTtl,
  type Storage,
  type StorageClockOptions,
  type StoredObject,
} from './storage.port';

export interface S3StorageOptions extends StorageClockOptions {
  bucket: string;
  /** Stored with every object; keys are never rewritten, so browsers may keep them. @default 'private, max-age=31536000, immutable' */
  cacheControl?: string;
}

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * Objects in an S3-compatible bucket (AWS, MinIO, R2...); `url()` is a presigned GET (SigV4). The
 * client belongs to the caller: `dispose` leaves it open.
 */
export function createS3Storage(client: S3Client, options: S3StorageOptions): Storage {
  const { bucket, cacheControl = 'private, max-age=31536000, immutable' } = options;
  const now = options.now ?? (() => new Date());
  let disposed = false;

  const objectKey = (key: string) => {
    if (disposed) throw new Error('Storage is disposed');
    assertStorageKey(key);
    return key;
  };

  return {
    async put(key, body, contentType) {
      const Key = objectKey(key);
      assertContentType(contentType);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
          CacheControl: cacheControl,
        }),
      );
    },

    async get(key): Promise<StoredObject | null> {
      const Key = objectKey(key);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const body = Buffer.from((await res.Body?.transformToByteArray()) ?? []);
        return { body, contentType: res.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async delete(key) {
      // S3 answers 204 for a missing key too.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },

    async url(key, ttlSeconds) {
      const Key = objectKey(key);
      assertUrlTtl(ttlSeconds);
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key }), {
        expiresIn: ttlSeconds,
        signingDate: now(),
      });
    },

    async dispose() {
      disposed = true;
    },
  };
}
