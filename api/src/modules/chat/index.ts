/** The chat module's public entry: other modules import from here only. */
import { ChatResolver } from './chat.resolver';
import { MessageResolver } from './message.resolver';
import { Message } from './message.entity';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';

export { createChatModule, type ChatModule } from './chat.module';
export type { RoomService, MatchedRoom } from './room.service';
export type { EvidenceService, Conversation, RoomRelation } from './evidence.service';
export { MessageObject } from './message.types';
export { PageInfo } from './chat.types';
export { MessageSent, RoomClosed } from './chat.events';
export { RoomClosedReason } from './room-closed-reason';
export { RoomObject } from './room.types';
export { loadRoomView } from './room.queries';

/** The module's tables, for the composition root's entity registry. */
export const chatEntities = [Room, RoomMember, Message];

/** The module's resolver classes, for the composition root's schema registry. */
export const chatResolverClasses = [ChatResolver, MessageResolver];
