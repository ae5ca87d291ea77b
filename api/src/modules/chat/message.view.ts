import type { Em } from '../../infra/db/orm';
import { User } from '../users/user.entity';
import { toUserObject, type UserFields } from '../users/user.types';
import type { MessagePayload } from './chat.service';
import { MessageObject } from './message.types';

export function toMessageObject(payload: MessagePayload, sender: UserFields, viewerId: string): MessageObject {
  return Object.assign(new MessageObject(), {
    id: payload.id,
    roomId: payload.roomId,
    seq: payload.seq,
    sender: toUserObject(sender, viewerId),
    body: payload.body,
    clientMessageId: payload.clientMessageId,
    createdAt: new Date(payload.createdAt),
    imageId: payload.imageId ?? null,
  });
}

/** Converts messages for `viewerId`, loading their senders in one statement. */
export async function toMessageObjects(em: Em, payloads: MessagePayload[], viewerId: string): Promise<MessageObject[]> {
  const ids = [...new Set(payloads.map((p) => p.senderId))];
  const users = ids.length ? await em.find(User, { id: { $in: ids } }, { connectionType: 'write' }) : [];
  const byId = new Map(users.map((u) => [u.id, u]));
  return payloads.map((p) => toMessageObject(p, byId.get(p.senderId)!, viewerId));
}
