import { randomUUID } from 'node:crypto';
import type { Em, Orm } from '../../infra/db/orm';
import { NotFoundError, RateLimitedError, UnauthenticatedError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { Storage } from '../../infra/storage/storage.port';
import type { ProfileService } from '../users';
import { processImage, type ImageLimits } from './image';
import { ImageObject } from './image.types';
import { uploadKeys } from './keys';
import { createSemaphore } from './semaphore';
import { Upload } from './upload.entity';
import { uploadLoader } from './upload-loader';

/**
 * Tells which of the given uploads other modules still show (e.g. images sent in chat): those stay
 * when their owner changes photo or deletes the account. Registered by those modules.
 */
export type UploadReferences = (em: Em, uploadIds: string[]) => Promise<Set<string>>;

export interface MediaServiceDeps {
  orm: Orm;
  profile: ProfileService;
  storage: Storage;
  /** Uploads per user (key: user id). */
  uploadLimiter: RateLimiter;
  /** Lifetime of the URLs in `imageView`, in seconds. */
  urlTtlSeconds: number;
  logger: Logger;
  image?: ImageLimits;
  /** Images this instance decodes at once (each may take ~4 bytes per input pixel). @default 2 */
  processingConcurrency?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Uploaded images: validation and re-encoding, storage, ownership, and short-lived URLs. */
export class MediaService {
  private readonly processing: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly references: UploadReferences[] = [];

  constructor(private readonly deps: MediaServiceDeps) {
    this.processing = createSemaphore(deps.processingConcurrency ?? 2);
  }

  /** Keeps uploads that `references` reports in use from being deleted with a photo or an account. */
  keepReferenced(references: UploadReferences): void {
    this.references.push(references);
  }

  /** Spends one upload from the user's budget; call it before reading the body. */
  async assertMayUpload(ownerId: string): Promise<void> {
    const result = await this.deps.uploadLimiter.consume(ownerId);
    if (!result.allowed) throw new RateLimitedError('Too many uploads; try again later', result.retryAfterMs);
  }

  /**
   * Validates and re-encodes `input` (see processImage: BadUserInputError when it is not a JPEG,
   * PNG or WebP image), stores both renditions, then inserts the row. Nothing stays in storage when
   * a step fails.
   */
  async createUpload(ownerId: string, input: Buffer): Promise<Upload> {
    const em = this.deps.orm.em.fork();
    const owner = await this.deps.profile.find(em, ownerId);
    if (!owner || owner.deletedAt) throw new UnauthenticatedError('This account no longer exists');
    const image = await this.processing(() => processImage(input, this.deps.image));

    const id = randomUUID();
    const keys = uploadKeys(id);
    const upload = new Upload({
      id,
      ownerId,
      fullKey: keys.full,
      thumbKey: keys.thumb,
      contentType: image.contentType,
      width: image.full.width,
      height: image.full.height,
      bytes: image.full.data.length + image.thumb.data.length,
    });
    try {
      await Promise.all([
        this.deps.storage.put(keys.full, image.full.data, image.contentType),
        this.deps.storage.put(keys.thumb, image.thumb.data, image.contentType),
      ]);
      await em.persistAndFlush(upload);
    } catch (err) {
      await this.removeObjects(upload);
      throw err;
    }
    return upload;
  }

  /** The caller's own upload; NotFoundError when it does not exist or belongs to someone else. */
  async ownedUpload(em: Em, ownerId: string, uploadId: string): Promise<Upload> {
    const upload = UUID.test(uploadId) ? await em.findOne(Upload, { id: uploadId, owner: ownerId }) : null;
    if (!upload) throw new NotFoundError(`No upload of yours has the id ${JSON.stringify(uploadId.slice(0, 64))}`);
    return upload;
  }

  /** An upload's GraphQL view by id (batched per request), or null when it is gone. */
  async imageById(em: Em, uploadId: string): Promise<ImageObject | null> {
    const upload = await uploadLoader(em).load(uploadId);
    return upload ? this.imageView(upload) : null;
  }

  /** The GraphQL view: fresh signed URLs valid for `ttlSeconds`. */
  async imageView(
    upload: Pick<Upload, 'fullKey' | 'thumbKey' | 'width' | 'height'>,
    ttlSeconds = this.deps.urlTtlSeconds,
  ): Promise<ImageObject> {
    const [url, thumbnailUrl] = await Promise.all([
      this.deps.storage.url(upload.fullKey, ttlSeconds),
      this.deps.storage.url(upload.thumbKey, ttlSeconds),
    ]);
    return Object.assign(new ImageObject(), { url, thumbnailUrl, width: upload.width, height: upload.height });
  }

  /**
   * Deletes the row, then the stored bytes. URLs already handed out stop working once the bytes are
   * gone. A storage failure is logged, not thrown: the row is gone and nothing can reach the bytes.
   */
  async deleteUpload(em: Em, upload: Upload): Promise<void> {
    await em.remove(upload).flush();
    await this.removeObjects(upload);
  }

  /** Deletes the upload unless another module still shows it (see `keepReferenced`). */
  async deleteUnlessReferenced(em: Em, upload: Upload): Promise<void> {
    if ((await this.referenced(em, [upload.id])).size === 0) await this.deleteUpload(em, upload);
  }

  /** Deletes those of the given uploads that nothing shows any more (e.g. images of purged chats). */
  async deleteUnreferenced(uploadIds: string[]): Promise<void> {
    if (uploadIds.length === 0) return;
    const em = this.deps.orm.em.fork();
    const keep = await this.referenced(em, uploadIds);
    const uploads = await em.find(Upload, { id: { $in: uploadIds.filter((id) => !keep.has(id)) } });
    for (const upload of uploads) await this.deleteUpload(em, upload);
  }

  /** Deletes every upload of a user but those still shown elsewhere (e.g. when the account is deleted). */
  async deleteUploadsOf(ownerId: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const uploads = await em.find(Upload, { owner: ownerId });
    const keep = await this.referenced(
      em,
      uploads.map((u) => u.id),
    );
    for (const upload of uploads) if (!keep.has(upload.id)) await this.deleteUpload(em, upload);
  }

  private async referenced(em: Em, uploadIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (uploadIds.length === 0) return found;
    for (const references of this.references) for (const id of await references(em, uploadIds)) found.add(id);
    return found;
  }

  private async removeObjects(upload: Upload): Promise<void> {
    try {
      await Promise.all([this.deps.storage.delete(upload.fullKey), this.deps.storage.delete(upload.thumbKey)]);
    } catch (err) {
      this.deps.logger.error({ err, uploadId: upload.id }, 'could not delete stored media');
    }
  }
}
