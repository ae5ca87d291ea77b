import { randomUUID } from 'node:crypto';
import type { Em, Orm } from '../../infra/db/orm';
import { ForbiddenError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import type { RoomService } from '../chat';
import type { JobQueue } from './job-queue';
import { checkedSubscription } from './push-input';
import { PushSubscription } from './push-subscription.entity';
import type { PushSubscriptionInput } from './push.inputs';
import { messagePayload, offerPayload, type PushPayload } from './push.payload';
import type { PushSend } from './push.sender';
import type { Presence } from './presence.port';

/** Devices per user; registering one more drops the one registered longest ago. */
export const MAX_DEVICES_PER_USER = 10;
/** A message push waits this long at the push service for an offline device, in seconds. */
const MESSAGE_TTL_SECONDS = 24 * 3600;

export interface PushServiceDeps {
  orm: Orm;
  presence: Presence;
  /** Background deliveries, bounded (the sends and matching never wait for them). */
  queue: JobQueue;
  rooms: Pick<RoomService, 'otherMembers'>;
  logger: Logger;
  /** Null: Web Push is off (production without VAPID keys). */
  vapid: { publicKey: string; send: PushSend } | null;
  /** Accept http:// endpoints on loopback hosts (outside production). */
  allowLoopbackHttp: boolean;
  /** An offer push is useless after the offer expired, in seconds. */
  offerTtlSeconds: number;
  /** A message push was not sent: its recipient held a live socket. */
  onSkippedOnline?: () => void;
}

/**
 * Web Push: devices' subscriptions, and pushes for offers (always: the app may be closed while the
 * search runs) and for messages to people with no live socket on any instance. Everything after
 * the event runs in the background queue, after the send or match step committed.
 */
export class PushService {
  constructor(private readonly deps: PushServiceDeps) {}

  get publicKey(): string | null {
    return this.deps.vapid?.publicKey ?? null;
  }

  /** Stores the device for the user (by endpoint: a device registered again is updated, and moves to this user). */
  async register(em: Em, userId: string, input: PushSubscriptionInput): Promise<void> {
    if (!this.deps.vapid)
      throw new ForbiddenError('Web Push is not configured on this server (pushPublicKey is null)', {
        reason: 'PUSH_DISABLED',
      });
    const device = checkedSubscription(input, this.deps.allowLoopbackHttp);
    await em.upsert(
      PushSubscription,
      // Plain data gets no initializers: a new row's id and time here, an existing row keeps its own.
      { id: randomUUID(), createdAt: new Date(), ...device, user: userId },
      { onConflictFields: ['endpoint'], onConflictExcludeFields: ['id', 'createdAt'] },
    );
    const devices = await em.find(PushSubscription, { user: userId }, { orderBy: { createdAt: 'desc', id: 'asc' } });
    const extra = devices.slice(MAX_DEVICES_PER_USER).map((d) => d.id);
    if (extra.length > 0) await em.nativeDelete(PushSubscription, { id: { $in: extra } });
  }

  /** The user's device with this endpoint, if any. */
  device(em: Em, userId: string, endpoint: string): Promise<PushSubscription | null> {
    return em.findOne(PushSubscription, { user: userId, endpoint: endpoint.trim() });
  }

  /** Forgets the user's device with this endpoint; false when the user has none such. */
  async unregister(em: Em, userId: string, endpoint: string): Promise<boolean> {
    return (await em.nativeDelete(PushSubscription, { user: userId, endpoint: endpoint.trim() })) > 0;
  }

  /** Deletes every device of a user being erased, in the erasing transaction. */
  async forget(tx: Em, userId: string): Promise<void> {
    await tx.nativeDelete(PushSubscription, { user: userId });
  }

  /** A user was offered a match: a push to each of their devices. Returns at once. */
  offered(userId: string, matchId: string): void {
    this.enqueue(() => this.deliver(userId, () => offerPayload(matchId), this.deps.offerTtlSeconds));
  }

  /** A message was stored: a push to each other member who has no live socket anywhere. Returns at once. */
  messageSent(event: { roomId: string; senderId: string; body: string }): void {
    this.enqueue(async () => {
      const recipients = await this.deps.rooms.otherMembers(event.roomId, event.senderId);
      for (const userId of recipients) {
        if (await this.deps.presence.isOnline(userId)) {
          this.deps.onSkippedOnline?.();
          continue;
        }
        await this.deliver(userId, (d) => messagePayload(event.roomId, event.body, d.previews), MESSAGE_TTL_SECONDS);
      }
    });
  }

  private enqueue(job: () => Promise<void>): void {
    if (!this.deps.vapid) return;
    if (!this.deps.queue.add(job)) this.deps.logger.warn('push queue full: a push was dropped');
  }

  /** Pushes to each of the user's devices; devices the push service no longer knows are deleted. */
  private async deliver(
    userId: string,
    payloadFor: (device: PushSubscription) => PushPayload,
    ttlSeconds: number,
  ): Promise<void> {
    const { vapid, orm, logger } = this.deps;
    if (!vapid) return;
    const em = orm.em.fork();
    const devices = await em.find(PushSubscription, { user: userId });
    await Promise.all(
      devices.map(async (device) => {
        try {
          const delivery = await vapid.send(device, payloadFor(device), ttlSeconds);
          if (delivery.outcome === 'sent') {
            await em.nativeUpdate(PushSubscription, { id: device.id }, { lastUsedAt: new Date() });
          } else if (delivery.outcome === 'gone') {
            await em.nativeDelete(PushSubscription, { id: device.id });
            logger.info({ userId, status: delivery.status }, 'push subscription gone: deleted');
          } else {
            logger.warn({ userId, status: delivery.status }, 'push refused by the push service (not retried)');
          }
        } catch (err) {
          logger.warn({ err, userId }, 'push failed (not retried)');
        }
      }),
    );
  }
}
