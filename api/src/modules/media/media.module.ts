import type { Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { Logger } from '../../infra/logger';
import type { RateLimiterFactory } from '../../infra/ratelimit/rate-limiter.port';
import type { Storage } from '../../infra/storage/storage.port';
import { UserDeleted, type UsersModule } from '../users';
import { MediaService } from './media.service';
import { PhotoResolver } from './photo.resolver';
import { PhotoService } from './photo.service';
import { createUploadsRouter, type UploadsRouteDeps } from './uploads.route';

export interface MediaModuleDeps {
  orm: Orm;
  events: DomainEvents;
  limiters: RateLimiterFactory;
  storage: Storage;
  logger: Logger;
  users: Pick<UsersModule, 'profile'>;
  authenticate: UploadsRouteDeps['authenticate'];
  config: { uploadsPerHour: number; urlTtlSeconds: number; maxInputPixels: number; uploadMaxBytes: number };
}

/** Uploaded images: POST /uploads, profile photos, signed URLs; a deleted user's images go with them. */
export function createMediaModule({
  orm,
  events,
  limiters,
  storage,
  logger,
  users,
  authenticate,
  config,
}: MediaModuleDeps) {
  const media = new MediaService({
    orm,
    storage,
    profile: users.profile,
    uploadLimiter: limiters.create({ name: 'uploads', points: config.uploadsPerHour, durationMs: 3_600_000 }),
    urlTtlSeconds: config.urlTtlSeconds,
    logger,
    image: { maxInputPixels: config.maxInputPixels },
  });
  const photos = new PhotoService({ media, profile: users.profile });
  events.on(UserDeleted, ({ userId }) => media.deleteUploadsOf(userId));
  media.keepReferenced((em, uploadIds) => users.profile.photosAmong(em, uploadIds));
  return {
    media,
    resolvers: [new PhotoResolver(photos, media)],
    routes: [createUploadsRouter({ media, authenticate, maxBytes: config.uploadMaxBytes, logger })],
  };
}

export type MediaModule = ReturnType<typeof createMediaModule>;
