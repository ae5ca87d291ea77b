import { ref } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import { ForbiddenError } from '../../infra/graphql/errors';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
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
 * other or deletes their account. Every change commits before anything is announced.
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
   * The caller's membership of an open-or-closed room, read from the primary. Unknown rooms and
   * rooms of others are refused identically, so ids cannot be probed.
   */
  async membership(em: Em, roomId: string, userId: string): Promise<RoomMember> {
    const member = await em.findOne(RoomMember, { room: roomId, user: userId }, { populate: ['room'] });
    if (!member) throw new ForbiddenError(`You are not a member of room ${roomId}`);
    return member;
  }

  /** Opens the room of a match: the room and its members in one transaction. Returns its id. */
  async open(matchId: string, distanceKm: number, userIds: string[]): Promise<string> {
    return this.deps.orm.em.fork().transactional(async (tx) => {
      const room = new Room(matchId, distanceKm);
      tx.persist(room);
      for (const userId of userIds) tx.persist(new RoomMember(ref(room), userId));
      await tx.flush();
      return room.id;
    });
  }

  /** Closes a room nobody was told about (its match fell through while it was being opened). */
  async discard(roomId: string): Promise<void> {
    await this.deps.orm.em.fork().nativeUpdate(Room, { id: roomId }, { closedAt: new Date() });
  }

  /** Closes the room for both members; history stays readable. False when it was already closed. */
  async leave(userId: string, roomId: string, reason = RoomClosedReason.LEFT): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    await this.membership(em, roomId, userId);
    return this.close(em, [roomId], userId, reason);
  }

  /** Closes the open rooms `userId` shares with `otherId` (a block). */
  async closeShared(userId: string, otherId: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const shared = await em.find(RoomMember, { user: userId, room: { closedAt: null, members: { user: otherId } } });
    await this.close(
      em,
      shared.map((m) => m.room.id),
      userId,
      RoomClosedReason.BLOCKED,
    );
  }

  /**
   * Closes every open room of `userId` inside the caller's transaction (account deletion); call
   * `announceClosed` with the result after the commit.
   */
  async closeRoomsOf(tx: Em, userId: string, reason: RoomClosedReason): Promise<ClosedRoom[]> {
    const open = await tx.find(RoomMember, { user: userId, room: { closedAt: null } });
    return this.closeRooms(
      tx,
      open.map((m) => m.room.id),
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
    // clear: a room loaded by the membership check would otherwise be written back at commit.
    const closed = await em.transactional((tx) => this.closeRooms(tx, roomIds, userId, reason), { clear: true });
    if (closed.length === 0) return false;
    await this.announceClosed(closed, userId, reason);
    return true;
  }

  /** Closes the rooms still open among `roomIds` (each exactly once, whoever races) and marks who left. */
  private async closeRooms(tx: Em, roomIds: string[], userId: string, reason: RoomClosedReason): Promise<ClosedRoom[]> {
    const now = this.deps.now();
    const closed: ClosedRoom[] = [];
    for (const roomId of roomIds) {
      const changed = await tx.nativeUpdate(
        Room,
        { id: roomId, closedAt: null },
        { closedAt: now, closedReason: reason, lastActivityAt: now },
      );
      if (changed === 0) continue;
      await tx.nativeUpdate(RoomMember, { room: roomId, user: userId }, { leftAt: now });
      const members = await tx.find(RoomMember, { room: roomId });
      closed.push({ roomId, memberIds: members.map((m) => m.user.id) });
    }
    return closed;
  }
}
