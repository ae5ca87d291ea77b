import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MessageObject } from './message.types';
import { RoomClosedReason } from './room-closed-reason';
import { RoomObject } from './room.types';

@ObjectType('PageInfo', { description: 'Relay-style pagination state' })
export class PageInfo {
  @Field({ description: 'More items exist after this page' })
  hasNextPage!: boolean;

  @Field({ description: 'More items exist before this page' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the page' })
  endCursor!: string | null;
}

@ObjectType('MessageEdge', { description: 'A message with its cursor' })
export class MessageEdge {
  @Field({ description: 'Pass as `before` to get older messages' })
  cursor!: string;

  @Field(() => MessageObject, { description: 'The message' })
  node!: MessageObject;
}

@ObjectType('MessageConnection', { description: 'A page of history, oldest first within the page' })
export class MessageConnection {
  @Field(() => [MessageEdge], { description: 'The messages' })
  edges!: MessageEdge[];

  @Field(() => PageInfo, { description: 'hasPreviousPage: older messages exist (use startCursor as `before`)' })
  pageInfo!: PageInfo;
}

@ObjectType('RoomEdge', { description: 'A room with its cursor' })
export class RoomEdge {
  @Field({ description: 'Pass as `after` to get the next page' })
  cursor!: string;

  @Field(() => RoomObject, { description: 'The room' })
  node!: RoomObject;
}

@ObjectType('RoomConnection', { description: 'Your rooms, newest activity first' })
export class RoomConnection {
  @Field(() => [RoomEdge], { description: 'The rooms' })
  edges!: RoomEdge[];

  @Field(() => PageInfo, { description: 'hasNextPage: more rooms exist (use endCursor as `after`)' })
  pageInfo!: PageInfo;
}

export enum RoomEventType {
  MESSAGE = 'MESSAGE',
  TYPING = 'TYPING',
  READ = 'READ',
  PEER_LEFT = 'PEER_LEFT',
}

registerEnumType(RoomEventType, {
  name: 'RoomEventType',
  description: 'What happened in a room',
  valuesConfig: {
    MESSAGE: { description: '`message` was stored' },
    TYPING: { description: '`userId` is typing (ephemeral, never stored)' },
    READ: { description: '`userId` has read up to `seq`' },
    PEER_LEFT: { description: '`userId` left: the room is closed, the stream ends' },
  },
});

@ObjectType('RoomEvent', { description: 'A live event in one room' })
export class RoomEventObject {
  @Field(() => RoomEventType, { description: 'What happened' })
  type!: RoomEventType;

  @Field(() => ID, { description: 'The room' })
  roomId!: string;

  @Field(() => MessageObject, { nullable: true, description: 'The new message (MESSAGE)' })
  message?: MessageObject | null;

  @Field(() => ID, { nullable: true, description: 'Who is typing, read or left (TYPING, READ, PEER_LEFT)' })
  userId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Read up to this seq (READ)' })
  seq?: number | null;

  @Field(() => RoomClosedReason, { nullable: true, description: 'Why the room closed (PEER_LEFT)' })
  reason?: RoomClosedReason | null;
}
