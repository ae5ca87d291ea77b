import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UserObject } from '../users/user.types';

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

  /** The attached upload's id (resolved to `image`; not a field). */
  imageId?: string | null;
}
