import { ref } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import { notAMember } from './chat.errors';
import { RoomClosed, roomTopic, type RoomEventPayload } from './chat.events';
import { RoomClosedReason } from './room-closed-reason';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';

/** A room just closed, with both members. */
export interface ClosedRoom {
  roomId: string;
  memberIds: string[];
}

/** A room as matching sees it: made for a match, between two users. */
export interface MatchedRoom {
  roomId: string;
  matchId: string;
  distanceKm: number | null;
  peerId: string | null;
}

/**
 * The room lifecycle: opened for a match, closed for both members when one leaves, blocks the
 * other or deletes their account. The member who did it has left: the room is gone for them
 * (`leftAt`), while the other keeps reading it, closed, until they leave it too. Nothing is
 * deleted here: the conversation stays sealed for moderators until the evidence purge. Every
 * change commits before anything is announced.
 */
export class RoomService {
  constructor(
    private readonly deps: {
      orm: Orm;
      pubsub: PubSub;
      events: DomainEvents;
      /** When rooms close (the evidence purge counts retention from it; tests move it). */
      now: () => Date;
    },
  ) {}

  /**
   * The caller's membership of an open-or-closed room they have not left, read from the primary.
   * Unknown rooms, rooms of others and rooms the caller left are refused identically.
   */
  async membership(em: Em, roomId: string, userId: string): Promise<RoomMember> {
    const member = await em.findOne(RoomMember, { room: roomId, user: userId, leftAt: null }, { populate: ['room'] });
    if (!member) throw notAMember(roomId);
    return member;
  }

  /** Opens the room of a match: the room and its members in one transaction. Returns its id. */
  async open(matchId: string, distanceKm: number, userIds: string[]): Promise<string> {
    return this.deps.orm.em.fork().transactional(async (tx) => {
      const at = this.deps.now();
      const room = new Room(matchId, distanceKm);
      room.createdAt = room.lastActivityAt = at;
      tx.persist(room);
      for (const userId of userIds) tx.persist(Object.assign(new RoomMember(ref(room), userId), { joinedAt: at }));
      await tx.flush();
      return room.id;
    });
  }

  /** Closes a room nobody was told about (its match fell through while it was being opened). */
  async discard(roomId: string): Promise<void> {
    await this.deps.orm.em.fork().nativeUpdate(Room, { id: roomId }, { closedAt: this.deps.now() });
  }

  /**
   * Leaves the room: closes it for both when it is still open (the peer hears PEER_LEFT) and hides
   * it from the caller for good. True when this call closed it; false when it was already closed,
   * also for a member who had left it already (a retry), whose room stays hidden.
   */
  async leave(userId: string, roomId: string, reason = RoomClosedReason.LEFT): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    if (!(await em.findOne(RoomMember, { room: roomId, user: userId }))) throw notAMember(roomId);
    return this.close(em, [roomId], userId, reason);
  }

  /**
   * A block: `userId` leaves every room they share with `otherId` and have not left yet; the open
   * ones close with BLOCKED, the closed ones are only hidden from the blocker.
   */
  async closeShared(userId: string, otherId: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const shared = await em.find(RoomMember, { user: userId, leftAt: null, room: { members: { user: otherId } } });
    await this.close(
      em,
      shared.map((m) => m.room.id),
      userId,
      RoomClosedReason.BLOCKED,
    );
  }

  /**
   * Account deletion: `userId` leaves every room, inside the caller's transaction; the open ones
   * close. Call `announceClosed` with the result after the commit.
   */
  async closeRoomsOf(tx: Em, userId: string, reason: RoomClosedReason): Promise<ClosedRoom[]> {
    const mine = await tx.find(RoomMember, { user: userId, leftAt: null });
    return this.closeRooms(
      tx,
      mine.map((m) => m.room.id),
      userId,
      reason,
    );
  }

  /** After the commit: the peer hears PEER_LEFT, and other modules RoomClosed. */
  async announceClosed(rooms: ClosedRoom[], userId: string, reason: RoomClosedReason): Promise<void> {
    for (const { roomId, memberIds } of rooms) {
      await this.deps.events.emit(RoomClosed, { roomId, memberIds, reason });
      await this.publish({ type: 'PEER_LEFT', roomId, userId, reason });
    }
  }

  /** The members of a room other than `userId`, from the primary. */
  async otherMembers(roomId: string, userId: string): Promise<string[]> {
    const others = await this.deps.orm.em.fork().find(RoomMember, { room: roomId, user: { $ne: userId } });
    return others.map((m) => m.user.id);
  }

  /** The other members of the user's open rooms, from the primary, in one query. */
  async openRoomPeers(userId: string): Promise<string[]> {
    const peers = await this.deps.orm.em
      .fork()
      .find(RoomMember, { room: { closedAt: null, members: { user: userId } }, user: { $ne: userId } });
    return peers.map((p) => p.user.id);
  }

  /**
   * Everyone the user was matched with since `since` (a room was opened for the two, open or closed
   * since), with when: the pair memory of matching. From the primary, in one query.
   */
  async matchedSince(userId: string, since: Date): Promise<Array<{ userId: string; matchedAt: Date }>> {
    const peers = await this.deps.orm.em
      .fork()
      .find(
        RoomMember,
        { room: { createdAt: { $gt: since }, members: { user: userId } }, user: { $ne: userId } },
        { populate: ['room'] },
      );
    return peers.map((p) => ({ userId: p.user.id, matchedAt: p.room.getEntity().createdAt }));
  }

  /** The user's newest open room created after `since`, from the primary. */
  async newestOpenRoomSince(userId: string, since: Date): Promise<MatchedRoom | null> {
    const em = this.deps.orm.em.fork();
    const mine = await em.findOne(
      RoomMember,
      { user: userId, room: { closedAt: null, createdAt: { $gt: since } } },
      { populate: ['room'], orderBy: { room: { createdAt: 'desc' } } },
    );
    if (!mine) return null;
    const room = mine.room.getEntity();
    const peer = await em.findOne(RoomMember, { room: room.id, user: { $ne: userId } });
    return {
      roomId: room.id,
      matchId: room.matchId,
      distanceKm: room.distanceKm ?? null,
      peerId: peer?.user.id ?? null,
    };
  }

  publish(event: RoomEventPayload): Promise<void> {
    return this.deps.pubsub.publish(roomTopic(event.roomId), event);
  }

  private async close(em: Em, roomIds: string[], userId: string, reason: RoomClosedReason): Promise<boolean> {
    if (roomIds.length === 0) return false;
    // clear: a member loaded by the caller's check would otherwise be written back at commit.
    const closed = await em.transactional((tx) => this.closeRooms(tx, roomIds, userId, reason), { clear: true });
    if (closed.length === 0) return false;
    await this.announceClosed(closed, userId, reason);
    return true;
  }

  /**
   * Closes the rooms still open among `roomIds` (each exactly once, whoever races), then `userId`
   * leaves all of them (hidden from them from now on; an earlier leave keeps its time). Rooms are
   * written before members, in the order of a send (seq bump, then the sender's read pointer), so
   * that the two cannot deadlock. Returns the rooms this call closed.
   */
  private async closeRooms(tx: Em, roomIds: string[], userId: string, reason: RoomClosedReason): Promise<ClosedRoom[]> {
    if (roomIds.length === 0) return [];
    const now = this.deps.now();
    const open = await tx.find(Room, { id: { $in: roomIds }, closedAt: null }, { fields: ['id'] });
    const closedIds: string[] = [];
    for (const { id } of open) {
      const changed = await tx.nativeUpdate(
        Room,
        { id, closedAt: null },
        { closedAt: now, closedReason: reason, lastActivityAt: now },
      );
      if (changed > 0) closedIds.push(id);
    }
    await tx.nativeUpdate(RoomMember, { room: { $in: roomIds }, user: userId, leftAt: null }, { leftAt: now });
    const members = closedIds.length ? await tx.find(RoomMember, { room: { $in: closedIds } }) : [];
    return closedIds.map((roomId) => ({
      roomId,
      memberIds: members.filter((m) => m.room.id === roomId).map((m) => m.user.id),
    }));
  }
}
