import { Entity, ManyToOne, type Opt, PrimaryKey, Property, ref, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';

export interface NewUpload {
  /** Chosen before the bytes are stored: the storage keys contain it. */
  id: string;
  ownerId: string;
  fullKey: string;
  thumbKey: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
}

/**
 * An image a user uploaded (a profile photo or a chat image): where its two renditions live in
 * storage and the full rendition's size. Only its owner may attach it to anything.
 */
@Entity({ tableName: 'uploads' })
export class Upload {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  owner: Ref<User>;

  /** Storage key of the full rendition (inside 1600x1600). */
  @Property({ length: 255 })
  fullKey: string;

  /** Storage key of the thumbnail (inside 320x320). */
  @Property({ length: 255 })
  thumbKey: string;

  /** MIME type of both renditions. */
  @Property({ length: 64 })
  contentType: string;

  /** Pixels of the full rendition. */
  @Property({ type: 'integer' })
  width: number;

  @Property({ type: 'integer' })
  height: number;

  /** Bytes stored for both renditions together. */
  @Property({ type: 'integer' })
  bytes: number;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(init: NewUpload) {
    this.id = init.id;
    this.owner = ref(User, init.ownerId);
    this.fullKey = init.fullKey;
    this.thumbKey = init.thumbKey;
    this.contentType = init.contentType;
    this.width = init.width;
    this.height = init.height;
    this.bytes = init.bytes;
  }
}
