import type { Em, Orm } from '../../infra/db/orm';
import type { Logger } from '../../infra/logger';
import type { MediaService } from '../media';
import { toMessagePayload } from './chat.events';
import { Message } from './message.entity';
import { toMessageObject, type MessageObject } from './message.types';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';

/** How two users relate to a room, for a report filed about it. */
export type RoomRelation = 'shared' | 'not-a-member' | 'not-the-peer';

/** A room's conversation as moderators read it. */
export interface Conversation {
  /** Null once the room was purged (EVIDENCE_RETENTION_DAYS after it closed). */
  closedAt: Date | null;
  purged: boolean;
  /** Oldest first; at most EVIDENCE_MAX_MESSAGES, the newest. */
  messages: MessageObject[];
}

/** The newest messages a moderator reads of one room. */
export const EVIDENCE_MAX_MESSAGES = 1000;

/** Rooms purged per statement batch. */
const PURGE_BATCH = 100;

export interface EvidenceServiceDeps {
  orm: Orm;
  logger: Logger;
  media: Pick<MediaService, 'deleteUnreferenced'>;
  /** How long a closed room's conversation is kept (EVIDENCE_RETENTION_DAYS), in ms. */
  retentionMs: number;
  now: () => Date;
}

/**
 * Conversations as evidence. A closed room stays, sealed (no sends, no stream), readable by the
 * member who has not left it yet and, when reported, by moderators, for `retentionMs` after it
 * closed, even after both members left; then `purge` erases its messages, members, room and the
 * images nothing else shows.
 */
export class EvidenceService {
  constructor(private readonly deps: EvidenceServiceDeps) {}

  /**
   * Whether `reporterId` and `reportedId` are the two members of the room, from the primary. A
   * member who left is still one: they may report the conversation they left.
   */
  async relation(roomId: string, reporterId: string, reportedId: string): Promise<RoomRelation> {
    const members = await this.deps.orm.em.fork().find(RoomMember, { room: roomId });
    const ids = members.map((m) => m.user.id);
    if (!ids.includes(reporterId)) return 'not-a-member';
    return ids.includes(reportedId) && reportedId !== reporterId ? 'shared' : 'not-the-peer';
  }

  /** The room's messages, with their senders as `viewerId` sees them, from the primary. */
  async conversation(em: Em, roomId: string, viewerId: string): Promise<Conversation> {
    const room = await em.findOne(Room, { id: roomId }, { fields: ['closedAt'] });
    if (!room) return { closedAt: null, purged: true, messages: [] };
    const newest = await em.find(
      Message,
      { room: roomId },
      { populate: ['sender'], orderBy: { seq: 'desc' }, limit: EVIDENCE_MAX_MESSAGES },
    );
    const messages = newest.reverse().map((m) => toMessageObject(toMessagePayload(m), m.sender.getEntity(), viewerId));
    return { closedAt: room.closedAt ?? null, purged: false, messages };
  }

  /**
   * Erases the rooms closed longer than the retention period ago: messages, members, the room, then
   * their images that nothing else shows. Safe on every instance at once: each batch deletes what is
   * still there, and a room another instance erased first is simply gone. Returns the rooms erased.
   */
  async purge(): Promise<number> {
    const cutoff = new Date(this.deps.now().getTime() - this.deps.retentionMs);
    let purged = 0;
    for (;;) {
      const em = this.deps.orm.em.fork();
      const rooms = await em.find(Room, { closedAt: { $lt: cutoff } }, { fields: ['id'], limit: PURGE_BATCH });
      if (rooms.length === 0) return purged;
      const roomIds = rooms.map((r) => r.id);
      const images = await em.find(Message, { room: { $in: roomIds }, image: { $ne: null } }, { fields: ['image'] });
      await em.transactional(async (tx) => {
        await tx.nativeDelete(Message, { room: { $in: roomIds } });
        await tx.nativeDelete(RoomMember, { room: { $in: roomIds } });
        await tx.nativeDelete(Room, { id: { $in: roomIds } });
      });
      await this.deps.media.deleteUnreferenced(images.flatMap((m) => (m.image ? [m.image.id] : [])));
      purged += roomIds.length;
      this.deps.logger.info({ rooms: roomIds.length }, 'closed conversations purged after the retention period');
    }
  }
}
