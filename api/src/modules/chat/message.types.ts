import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toUserObject, UserObject, type UserFields } from '../users';
import type { MessagePayload } from './chat.events';
import { MaskedKind } from './link-guard';

@ObjectType('Message', { description: 'One chat message; stored on the primary before it is acknowledged' })
export class MessageObject {
  @Field(() => ID, { description: 'Stable message id' })
  id!: string;

  @Field(() => ID, { description: 'The room it belongs to' })
  roomId!: string;

  @Field(() => Int, { description: 'Position in the room: 1, 2, 3... without gaps; order and catch up by it' })
  seq!: number;

  @Field(() => UserObject, { description: 'Who sent it' })
  sender!: UserObject;

  @Field({ description: 'The text, trimmed; empty for an image without a caption' })
  body!: string;

  @Field({ description: "The sender's idempotency key: a retry with the same key returns this message" })
  clientMessageId!: string;

  @Field({ description: 'When the server stored it' })
  createdAt!: Date;

  @Field(() => [MaskedKind], {
    description:
      "What the link guard hid (each replaced by •••) because this is one of the sender's first LINK_GUARD_MESSAGES " +
      'messages in the room: links, email addresses, phone numbers. Empty when nothing was hidden. The sender shows ' +
      'why their text changed; `body` is the text as stored and delivered',
  })
  masked!: MaskedKind[];

  /** The attached upload's id (resolved to `image`; not a field). */
  imageId?: string | null;
}

/** The GraphQL view of a message as `viewerId` sees it. */
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
    masked: payload.masked ?? [],
  });
}
