import { dateFromColumn, stringOrNull } from '../../infra/db/sql-values';
import type { SqlRow, SqlRunner, SqlSession } from '../../infra/db/sql-runner.port';
import { userColumns } from '../users';
import type { MessagePayload } from './chat.events';
import { maskedColumn, maskedFromColumn, type MaskResult } from './link-guard';

/**
 * The caller's membership (of a room they have not left), the room's state, the caller, and an
 * earlier send with the same key (all of it, so that a retry is answered from this one read).
 */
export const SEND_CHECK_SQL = `SELECT r.closed_at, ${userColumns('u', 'user', { email: true })},
  sent.id AS sent_id, sent.seq AS sent_seq, sent.body AS sent_body, sent.image_id AS sent_image_id,
  sent.created_at AS sent_created_at, sent.masked AS sent_masked
FROM room_members me
JOIN rooms r ON r.id = me.room_id
JOIN users u ON u.id = me.user_id
LEFT JOIN messages sent ON sent.room_id = me.room_id AND sent.sender_id = me.user_id AND sent.client_message_id = ?
WHERE me.room_id = ? AND me.user_id = ? AND me.left_at IS NULL`;

/** An earlier send with this key: the message a concurrent retry stored first. */
const SENT_SQL = `SELECT id AS sent_id, seq AS sent_seq, body AS sent_body, image_id AS sent_image_id,
  created_at AS sent_created_at, masked AS sent_masked
FROM messages WHERE room_id = ? AND sender_id = ? AND client_message_id = ?`;

/**
 * Bumps the room's seq under its row lock (sends to one room queue here and get consecutive seqs)
 * and reads the new value back from the write itself: MySQL reports `LAST_INSERT_ID(expr)` in the
 * statement's answer, SQLite returns it. A closed room matches no row.
 */
const BUMP_SQL: Record<SqlRunner['dialect'], string> = {
  mysql:
    'UPDATE rooms SET last_seq = LAST_INSERT_ID(last_seq + 1), last_activity_at = ? WHERE id = ? AND closed_at IS NULL',
  sqlite:
    'UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = ? WHERE id = ? AND closed_at IS NULL RETURNING last_seq',
};

const INSERT_SQL = `INSERT INTO messages (id, room_id, seq, sender_id, client_message_id, body, image_id, masked, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * How many messages the sender has in the room, counted up to `limit` (the link guard only asks
 * whether it is below LINK_GUARD_MESSAGES; the limit is written into the text, an integer from the
 * configuration). Read after the seq bump, under the room row's lock: every earlier send to the
 * room has committed, and none can commit until this one does. On InnoDB the transaction's snapshot
 * is taken at its first plain read, which is this one (BEGIN is a plain START TRANSACTION and the
 * bump a locking write), so it sees those commits; keep it the first plain read.
 */
const sentCountSql = (limit: number) =>
  `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE room_id = ? AND sender_id = ? LIMIT ${Math.trunc(limit)}) early`;

/**
 * Moves the sender's read pointer to their message. Issued right behind the INSERT, before its
 * answer: the EXISTS keeps it from moving anything if the INSERT failed as a deadlock victim (its
 * transaction then rolled back, and this statement would run in autocommit).
 */
const READ_POINTER_SQL = `UPDATE room_members SET last_read_seq = ?
WHERE room_id = ? AND user_id = ? AND EXISTS (SELECT 1 FROM messages WHERE id = ?)`;

/** The earlier send in a row of SEND_CHECK_SQL or SENT_SQL, or null when there is none. */
export function sentMessage(row: SqlRow, roomId: string, senderId: string, key: string): MessagePayload | null {
  if (row.sent_id === null || row.sent_id === undefined) return null;
  return {
    id: String(row.sent_id),
    roomId,
    seq: Number(row.sent_seq),
    senderId,
    body: String(row.sent_body),
    clientMessageId: key,
    createdAt: dateFromColumn(row.sent_created_at).toISOString(),
    imageId: stringOrNull(row.sent_image_id),
    masked: maskedFromColumn(row.sent_masked),
  };
}

/** Reads the message stored under (room, sender, key), if any. */
export async function findSent(db: SqlSession, roomId: string, senderId: string, key: string) {
  const [row] = await db.all(SENT_SQL, [roomId, senderId, key]);
  return row ? sentMessage(row, roomId, senderId, key) : null;
}

/**
 * The link guard's part of a send: the body with contacts hidden, used when the sender has fewer
 * than `messages` messages in the room.
 */
export interface SendGuard {
  messages: number;
  masked: MaskResult;
}

/**
 * Stores `message` in the transaction `db` began, and commits: bump the room's seq, (with a
 * `guard`) count the sender's messages in the room and hide contacts in one of their first ones,
 * insert, move the sender's read pointer (these two in one round trip), commit. Returns the message
 * as stored, with its seq, or null when the room was closed meanwhile (then nothing was written).
 * Rejects (the caller's session rolls back) when the INSERT fails, e.g. with a
 * UniqueConstraintViolationException when a concurrent retry stored this key first.
 */
export async function storeMessage(
  db: SqlSession,
  dialect: SqlRunner['dialect'],
  draft: MessagePayload,
  createdAt: Date,
  guard?: SendGuard,
): Promise<MessagePayload | null> {
  const { id, roomId, senderId } = draft;
  let seq: number;
  if (dialect === 'mysql') {
    const bumped = await db.run(BUMP_SQL.mysql, [createdAt, roomId]);
    if (bumped.affectedRows === 0) return null;
    seq = bumped.insertId;
  } else {
    const [bumped] = await db.all<{ last_seq: number }>(BUMP_SQL.sqlite, [createdAt, roomId]);
    if (!bumped) return null;
    seq = Number(bumped.last_seq);
  }
  let message = draft;
  if (guard) {
    const [sent] = await db.all<{ n: number }>(sentCountSql(guard.messages), [roomId, senderId]);
    if (Number(sent?.n ?? 0) < guard.messages) {
      message = { ...draft, body: guard.masked.body, masked: guard.masked.kinds };
    }
  }
  const [inserted, moved] = await Promise.allSettled([
    db.run(INSERT_SQL, [
      id,
      roomId,
      seq,
      senderId,
      message.clientMessageId,
      message.body,
      message.imageId ?? null,
      maskedColumn(message.masked),
      createdAt,
    ]),
    db.run(READ_POINTER_SQL, [seq, roomId, senderId, id]),
  ]);
  if (inserted.status === 'rejected') throw inserted.reason;
  if (moved.status === 'rejected') throw moved.reason;
  await db.commit();
  return { ...message, seq };
}
