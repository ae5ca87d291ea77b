import type { Orm } from '../../infra/db/orm';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import { ended, relay } from '../../infra/pubsub/relay';
import { roomTopic, toMessagePayload, type RoomEventPayload } from './chat.events';
import { Message } from './message.entity';
import { Room } from './room.entity';
import type { RoomService } from './room.service';

/** The `roomEvents` subscription's stream: live events in order, gaps filled from the primary. */
export class RoomStream {
  constructor(private readonly deps: { orm: Orm; pubsub: PubSub; rooms: RoomService }) {}

  /**
   * The room's live events for one member: MESSAGE, READ, PEER_LEFT and the peer's TYPING (not
   * their own). The stream ends after PEER_LEFT; for a closed room it ends at once.
   *
   * Messages come in seq order, each once, starting after the last one stored when the subscription
   * began. Senders publish after their commits, so publishes can overtake each other (across
   * instances above all): a message beyond the next expected seq proves the ones before it are
   * committed, and they are read from the primary and delivered first; their late copies are
   * skipped. PEER_LEFT is preceded by whatever was committed before the room closed.
   */
  async open(userId: string, roomId: string): Promise<AsyncIterableIterator<RoomEventPayload>> {
    const em = this.deps.orm.em.fork();
    const member = await this.deps.rooms.membership(em, roomId, userId);
    if (member.room.getEntity().closedAt) return ended();
    let delivered = member.room.getEntity().lastSeq;
    const live = await this.deps.pubsub.subscribe<RoomEventPayload>(roomTopic(roomId));
    // The room may have closed between the check and the subscription.
    const room = await em.findOne(Room, { id: roomId }, { refresh: true }).catch(async (err: unknown) => {
      await live.return?.(); // the database refused or timed out: nothing may stay subscribed
      throw err;
    });
    if (room?.closedAt) {
      await live.return?.();
      return ended();
    }
    const catchUp = async (beforeSeq?: number): Promise<RoomEventPayload[]> => {
      const seq = beforeSeq === undefined ? { $gt: delivered } : { $gt: delivered, $lt: beforeSeq };
      const rows = await this.deps.orm.em.fork().find(Message, { room: roomId, seq }, { orderBy: { seq: 'asc' } });
      delivered = Math.max(delivered, rows.at(-1)?.seq ?? 0);
      return rows.map((m) => ({ type: 'MESSAGE', roomId, message: toMessagePayload(m) }));
    };
    return relay<RoomEventPayload, RoomEventPayload>(live, async (event) => {
      if (event.type === 'TYPING' && event.userId === userId) return {};
      if (event.type === 'PEER_LEFT') return { values: await catchUp(), value: event, done: true };
      if (event.type !== 'MESSAGE' || !event.message) return { value: event };
      const { seq } = event.message;
      if (seq <= delivered) return {};
      const missed = seq > delivered + 1 ? await catchUp(seq) : [];
      delivered = seq;
      return { values: missed, value: event };
    });
  }
}
