import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, type Opt, PrimaryKey, Property, ref, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';

/** The longest push endpoint URL taken (push services' endpoints are 100 to 250 characters). */
export const MAX_ENDPOINT_LENGTH = 512;

export interface NewPushSubscription {
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  deviceLabel: string;
  previews: boolean;
}

/**
 * One device's Web Push subscription (a browser's PushSubscription): where to POST and the keys
 * that encrypt for it. The endpoint is unique: a device subscribed again by another account moves
 * to that account. Rows the push service answers 404 or 410 for are deleted.
 */
@Entity({ tableName: 'push_subscriptions' })
export class PushSubscription {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;

  @Property({ length: MAX_ENDPOINT_LENGTH, unique: true })
  endpoint: string;

  /** The device's P-256 public key (65 bytes, URL-safe base64). */
  @Property({ length: 100 })
  p256dh: string;

  /** The device's auth secret (16 bytes, URL-safe base64). */
  @Property({ length: 32 })
  auth: string;

  /** What the person calls this device ("Phone"), so that they can tell their devices apart. */
  @Property({ length: 60 })
  deviceLabel: string;

  /** Whether pushes to this device may show the start of a message (off unless the person turned it on). */
  @Property({ type: 'boolean' })
  previews: boolean & Opt = false;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  /** When a push last reached the push service for this device. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  lastUsedAt?: Date;

  constructor(init: NewPushSubscription) {
    this.user = ref(User, init.userId);
    this.endpoint = init.endpoint;
    this.p256dh = init.p256dh;
    this.auth = init.auth;
    this.deviceLabel = init.deviceLabel;
    this.previews = init.previews;
  }
}
