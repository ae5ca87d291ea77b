import { domainEvent } from '../../infra/events/domain-events';
import type { UserPayload } from '../users';
import { maskedFromColumn, type MaskedKind } from './link-guard';
import type { Message } from './message.entity';
import type { RoomClosedReason } from './room-closed-reason';

/** Pub/sub topic of one room: every instance with a subscriber in the room listens to it. */
export const roomTopic = (roomId: string) => `room:${roomId}`;

/** A message as it travels over pub/sub (plain JSON). */
export interface MessagePayload {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  body: string;
  clientMessageId: string;
  createdAt: string;
  /** The attached upload, if any. */
  imageId?: string | null;
  /** What the link guard hid in the body (absent or empty: nothing). */
  masked?: MaskedKind[];
}

/** What a room's subscribers receive over pub/sub (plain JSON). */
export interface RoomEventPayload {
  type: 'MESSAGE' | 'TYPING' | 'READ' | 'PEER_LEFT';
  roomId: string;
  message?: MessagePayload;
  /**
   * A MESSAGE's sender as the send read them with its membership check, so that no delivery waits on
   * a database read (absent on messages a subscription reads back to fill a gap).
   */
  sender?: UserPayload;
  userId?: string;
  seq?: number;
  /** Why the room closed (PEER_LEFT). */
  reason?: RoomClosedReason;
}

export function toMessagePayload(m: Message): MessagePayload {
  return {
    id: m.id,
    roomId: m.room.id,
    seq: m.seq,
    senderId: m.sender.id,
    body: m.body,
    clientMessageId: m.clientMessageId,
    createdAt: m.createdAt.toISOString(),
    imageId: m.image?.id ?? null,
    masked: maskedFromColumn(m.masked),
  };
}

/**
 * A message was stored (committed) and published; emitted once per message (a retry answered with
 * the stored message emits nothing). Handlers must return at once: the send waits for nothing else.
 */
export const MessageSent = domainEvent<{ roomId: string; senderId: string; messageId: string; body: string }>(
  'chat.message-sent',
);

/** A room closed (committed), with both members: e.g. the pair may meet again in matching. */
export const RoomClosed = domainEvent<{ roomId: string; memberIds: string[]; reason: RoomClosedReason }>(
  'chat.room-closed',
);
