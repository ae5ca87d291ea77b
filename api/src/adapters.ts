/**
 * Adapter choice: which implementation of each port this instance runs, from the configuration.
 * Redis-backed ones when REDIS_URL or REDIS_CLUSTER_NODES is set (any number of instances), in-process ones otherwise
 * (one instance); SMTP or the dev outbox, an SMS gateway or the dev outbox; S3 or the local disk; read
 * replicas when configured.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import nodemailer from 'nodemailer';
import type { Config } from './config';
import type { Orm } from './infra/db/orm';
import { createReplicaRouter, type ReplicaRouter } from './infra/db/replica-router';
import { loadOrCreateJwtSecret } from './infra/jwt-secret';
import type { Logger } from './infra/logger';
import { createOutboxMailer, type OutboxMailer } from './infra/mail/mailer.outbox';
import type { Mailer } from './infra/mail/mailer.port';
import { createSmtpMailer } from './infra/mail/mailer.smtp';
import type { Metrics } from './infra/metrics';
import { createMemoryPubSub } from './infra/pubsub/pubsub.memory';
import type { PubSub } from './infra/pubsub/pubsub.port';
import { createRedisPubSub } from './infra/pubsub/pubsub.redis';
import { createMemoryRateLimiterFactory } from './infra/ratelimit/rate-limiter.memory';
import type { RateLimiterFactory } from './infra/ratelimit/rate-limiter.port';
import { createRedisRateLimiterFactory } from './infra/ratelimit/rate-limiter.redis';
import { connectRedis, type RedisClients } from './infra/redis/clients';
import { createHttpSms } from './infra/sms/sms.http';
import { createOutboxSms } from './infra/sms/sms.outbox';
import type { SmsSender } from './infra/sms/sms.port';
import { createDiskStorage } from './infra/storage/storage.disk';
import type { Storage } from './infra/storage/storage.port';
import { createS3Storage } from './infra/storage/storage.s3';
import { createUrlSigner, deriveMediaSigningSecret, type UrlSigner } from './infra/storage/url-signer';
import { loadOrCreateVapidKeys, type VapidKeys } from './infra/vapid-keys';
import {
  createMemoryMatchQueue,
  createRedisMatchQueue,
  createShardedMatchQueue,
  type MatchQueue,
} from './modules/matching';
import { createMemoryPresence, createRedisPresence, type Presence } from './modules/push';

export interface Adapters {
  pubsub: PubSub;
  limiters: RateLimiterFactory;
  matchQueue: MatchQueue;
  /** Who holds a live socket on any instance (Web Push skips them for messages). */
  presence: Presence;
  redis?: RedisClients;
}

/** Production adapters when a Redis (or a Redis Cluster) is configured, in-process ones otherwise (one instance only). */
export async function createAdapters(config: Config, logger: Logger): Promise<Adapters> {
  const { offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs, pairMemoryMs, cellKm } = config.matching;
  const queueOptions = { offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs, pairMemoryMs };
  const instanceId = randomUUID();
  if (!config.redis) {
    return {
      pubsub: createMemoryPubSub(),
      limiters: createMemoryRateLimiterFactory(),
      matchQueue: createMemoryMatchQueue(queueOptions),
      presence: createMemoryPresence({ instanceId }),
    };
  }
  const { prefix, match } = config.redis;
  const redis = await connectRedis(config.redis, logger, { timeoutMs: config.deadlines.redisMs, match });
  return {
    redis,
    pubsub: createRedisPubSub(
      { publisher: redis.command, subscriber: redis.subscriber, sharded: redis.sharded },
      { topicPrefix: prefix },
      (err) => logger.warn({ err }, 'redis UNSUBSCRIBE failed (the channel goes with the connection)'),
    ),
    limiters: createRedisRateLimiterFactory(redis.command, { prefix }),
    matchQueue:
      cellKm > 0
        ? createShardedMatchQueue(redis.match, { ...queueOptions, prefix, cellKm })
        : createRedisMatchQueue(redis.match, { ...queueOptions, prefix }),
    presence: createRedisPresence(redis.command, { instanceId, prefix }),
  };
}

/** The JWT secret: JWT_SECRET, or (outside production) one generated once under DATA_DIR. */
export function jwtSecretOf(config: Config): string {
  return config.auth.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir);
}

/**
 * The Web Push key pair and subject: VAPID_* when set; else (outside production) a pair generated
 * once under DATA_DIR; else (production without keys) null: no Web Push.
 */
export function vapidOf(config: Config): (VapidKeys & { subject: string }) | null {
  const keys = config.push.vapid ?? (config.isProduction ? null : loadOrCreateVapidKeys(config.dataDir));
  return keys && { ...keys, subject: config.push.subject };
}

/** SMTP when SMTP_URL is set, else the dev outbox under dataDir/outbox. */
export function createMailer(config: Config): Mailer | OutboxMailer {
  if (config.mail.smtpUrl)
    return createSmtpMailer(nodemailer.createTransport(config.mail.smtpUrl), { from: config.mail.from });
  return createOutboxMailer(path.join(config.dataDir, 'outbox'), { from: config.mail.from });
}

/**
 * The HTTP SMS gateway when SMS_GATEWAY_URL is set, else the dev outbox under dataDir/outbox (the
 * dev mails' directory, listed at /dev/outbox); `outbox` is set for the latter.
 */
export function createSms(config: Config): { sms: SmsSender; outbox?: OutboxMailer } {
  const { gateway } = config.phone;
  if (gateway) return { sms: createHttpSms(gateway) };
  const outbox = createOutboxMailer(path.join(config.dataDir, 'outbox'), { from: 'randchat SMS' });
  return { sms: createOutboxSms(outbox), outbox };
}

export interface MediaStorage {
  storage: Storage;
  /** Set for the disk adapter, whose URLs the API serves itself at GET /media/... */
  signer?: UrlSigner;
  close(): Promise<void>;
}

/** S3 when S3_BUCKET is set, else files under MEDIA_DIR served at /media with HMAC-signed URLs. */
export function createMediaStorage(config: Config): MediaStorage {
  const { s3, dir, baseUrl, signingSecret } = config.media;
  if (s3) {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
      forcePathStyle: s3.forcePathStyle,
      // Several S3-compatible services reject the SDK's newer default CRC32 checksums / aws-chunked bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const storage = createS3Storage(client, { bucket: s3.bucket });
    const close = async () => {
      await storage.dispose();
      client.destroy();
    };
    return { storage, close };
  }
  const secret = signingSecret ? Buffer.from(signingSecret) : deriveMediaSigningSecret(jwtSecretOf(config));
  const signer = createUrlSigner(secret);
  const storage = createDiskStorage({ root: dir, signer, baseUrl });
  return { storage, signer, close: () => storage.dispose() };
}

/** Whether the database and Redis answer (each within 2 s). */
export async function readiness(orm: Orm, redis: RedisClients | undefined): Promise<Record<string, boolean>> {
  const probe = async (check: () => Promise<unknown>) => {
    try {
      await Promise.race([check(), new Promise((_, reject) => setTimeout(reject, 2000).unref())]);
      return true;
    } catch {
      return false;
    }
  };
  const [database, cache] = await Promise.all([
    probe(() => orm.em.getConnection().execute('select 1')),
    redis && probe(() => Promise.all([redis.command.ping(), redis.match.ping()])),
  ]);
  // Embedded mode has no Redis to check.
  return { database, ...(redis ? { redis: cache === true } : {}) };
}

/** Reads go to healthy replicas only, and fail over to the primary; health is logged and exported as metrics. */
export function routeReads(orm: Orm, config: Config, logger: Logger, metrics: Metrics): ReplicaRouter | undefined {
  if (!config.database?.replicaUrls.length) return undefined;
  return createReplicaRouter(orm, {
    ...config.database.replicaCheck,
    onChange({ name, healthy, reason, lagSeconds }) {
      metrics.dbReplicaUp.set({ replica: name }, healthy ? 1 : 0);
      if (lagSeconds === null) metrics.dbReplicaLag.remove({ replica: name });
      else metrics.dbReplicaLag.set({ replica: name }, lagSeconds);
      if (healthy) logger.info({ replica: name, note: reason ?? undefined }, 'read replica in rotation');
      else logger.warn({ replica: name, reason }, 'read replica out of rotation: its reads go to the primary');
    },
    onFailover(replica, reason) {
      metrics.dbReplicaFailovers.inc({ replica, reason });
    },
  });
}

/** Releases every adapter and the Redis connections, in that order. */
export async function disposeAdapters(adapters: Adapters): Promise<void> {
  await adapters.pubsub.dispose();
  await adapters.limiters.dispose();
  await adapters.matchQueue.dispose();
  await adapters.presence.dispose();
  await adapters.redis?.quit();
}
