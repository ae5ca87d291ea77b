import type { Admission } from '../../infra/admission';
import type { Orm } from '../../infra/db/orm';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import { ended, relay } from '../../infra/pubsub/relay';
import { notAMember } from './chat.errors';
import { roomTopic, toMessagePayload, type RoomEventPayload } from './chat.events';
import { Message } from './message.entity';

/** The caller's membership and the room's state (RoomService.membership's check, as a plain row). */
const MEMBER_SQL = `SELECT r.closed_at, r.last_seq FROM room_members me
JOIN rooms r ON r.id = me.room_id
WHERE me.room_id = ? AND me.user_id = ? AND me.left_at IS NULL`;

/** Whether the room closed meanwhile. */
const CLOSED_SQL = 'SELECT closed_at FROM rooms WHERE id = ?';

/**
 * The `roomEvents` subscription's stream: live events in order, gaps filled from the primary. Its
 * set-up is two plain statements on the primary around the SUBSCRIBE (no EntityManager, no
 * hydration): every open socket subscribes again after a reconnect, all at once after a restart.
 */
export class RoomStream {
  /** @param deps.setups admits the set-ups (their reads and SUBSCRIBE) of a reconnect storm a few at a time. */
  constructor(private readonly deps: { orm: Orm; sql: SqlRunner; pubsub: PubSub; setups: Admission }) {}

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
  open(userId: string, roomId: string): Promise<AsyncIterableIterator<RoomEventPayload>> {
    return this.deps.setups.run(() => this.setUp(userId, roomId));
  }

  private async setUp(userId: string, roomId: string): Promise<AsyncIterableIterator<RoomEventPayload>> {
    const [member] = await this.deps.sql.all<{ closed_at: unknown; last_seq: unknown }>(MEMBER_SQL, [roomId, userId]);
    // Unknown rooms, rooms of others and rooms the caller left are refused identically.
    if (!member) throw notAMember(roomId);
    if (member.closed_at !== null) return ended();
    let delivered = Number(member.last_seq);
    const live = await this.deps.pubsub.subscribe<RoomEventPayload>(roomTopic(roomId));
    // The room may have closed between the check and the subscription.
    const [room] = await this.deps.sql.all<{ closed_at: unknown }>(CLOSED_SQL, [roomId]).catch(async (err: unknown) => {
      await live.return?.(); // the database refused or timed out: nothing may stay subscribed
      throw err;
    });
    if (room?.closed_at !== null) {
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
