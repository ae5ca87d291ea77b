import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, type Opt, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { Upload } from '../media/upload.entity';
import { User } from '../users/user.entity';
import { Room } from './room.entity';

/**
 * One chat message. `seq` is gapless per room (assigned under the room row's lock); (room, seq)
 * is unique and serves history; (room, sender, clientMessageId) makes retries idempotent.
 */
@Entity({ tableName: 'messages' })
@Unique({ name: 'messages_room_seq_unique', properties: ['room', 'seq'] })
@Unique({ name: 'messages_room_sender_client_id_unique', properties: ['room', 'sender', 'clientMessageId'] })
export class Message {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => Room, { ref: true, deleteRule: 'cascade' })
  room: Ref<Room>;

  @Property({ type: 'integer' })
  seq: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  sender: Ref<User>;

  @Property({ length: 64 })
  clientMessageId: string;

  /** Trimmed text; empty for an image without a caption. */
  @Property({ type: 'text' })
  body: string;

  /** An image (one of the sender's uploads), with or without a caption. */
  @ManyToOne(() => Upload, { ref: true, nullable: true, deleteRule: 'set null' })
  image?: Ref<Upload> | null;

  /** What the link guard hid in the body (MaskedKind values, comma-separated); null: nothing. */
  @Property({ type: 'string', length: 32, nullable: true })
  masked?: string | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(init: {
    room: Ref<Room>;
    seq: number;
    sender: Ref<User>;
    clientMessageId: string;
    body: string;
    image?: Ref<Upload> | null;
  }) {
    this.room = init.room;
    this.seq = init.seq;
    this.sender = init.sender;
    this.clientMessageId = init.clientMessageId;
    this.body = init.body;
    this.image = init.image ?? null;
  }
}
