// The rooms benchmark's SQL side (see rooms.mjs): the one statement that answers the room page, its
// plan, and what unread counts cost read from counters vs counted from messages.
import { percentile } from '../lib/util.mjs';

/** The page in one statement: what a hand-written query would fetch for the same JSON. */
export const ROOM_PAGE_SQL = `
SELECT r.id, r.last_seq, r.created_at, r.last_activity_at, r.closed_at, r.closed_reason, r.distance_km,
       me.last_read_seq, p.last_read_seq AS peer_last_read_seq,
       pu.id AS peer_id, pu.nickname AS peer_nickname, pu.gender AS peer_gender, pu.birth_year AS peer_birth_year, pu.photo_id AS peer_photo_id,
       lm.id AS message_id, lm.seq AS message_seq, lm.body, lm.client_message_id, lm.created_at AS message_created_at, lm.image_id,
       su.id AS sender_id, su.nickname AS sender_nickname
FROM room_members me
JOIN rooms r ON r.id = me.room_id
JOIN room_members p ON p.room_id = me.room_id AND p.user_id <> me.user_id
JOIN users pu ON pu.id = p.user_id
LEFT JOIN messages lm ON lm.room_id = r.id AND lm.seq = r.last_seq
LEFT JOIN users su ON su.id = lm.sender_id
WHERE me.user_id = ?
ORDER BY r.last_activity_at DESC, r.id DESC
LIMIT 21`;

/**
 * The plan of ROOM_PAGE_SQL, one `table:type(key) [Extra]` per step.
 * @param {import('mysql2/promise').Connection} conn
 * @param {string} userId
 */
export async function explain(conn, userId) {
  const [result] = await conn.query(`EXPLAIN ${ROOM_PAGE_SQL}`, [userId]);
  const rows = /** @type {{ table: string, type: string, key: string | null, Extra: string | null }[]} */ (result);
  return rows
    .map((r) => `${r.table}:${r.type}${r.key ? `(${r.key})` : ''}${r.Extra ? ` [${r.Extra}]` : ''}`)
    .join(' -> ');
}

/**
 * Unread counts from counters (what the API does) vs counting messages, for the 10k-rooms user.
 * @param {import('mysql2/promise').Connection} conn
 * @param {string} userId
 * @param {number} repeats
 */
export async function unreadCost(conn, userId, repeats) {
  const counters = `SELECT COUNT(*) AS rooms, SUM(r.last_seq - m.last_read_seq) AS unread FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ?`;
  const scan = `SELECT COUNT(*) AS unread FROM room_members m JOIN messages msg ON msg.room_id = m.room_id AND msg.seq > m.last_read_seq WHERE m.user_id = ?`;
  /** @param {string} sql */
  const measure = async (sql) => {
    /** @type {number[]} */
    const times = [];
    let rowsRead = 0;
    /** @type {unknown} */
    let value;
    for (let i = 0; i < repeats; i++) {
      await conn.query('FLUSH STATUS');
      const t0 = performance.now();
      const [result] = await conn.query(sql, [userId]);
      const [row] = /** @type {[{ unread: unknown }]} */ (result);
      times.push(performance.now() - t0);
      const [status] = await conn.query("SHOW SESSION STATUS LIKE 'Handler_read%'");
      rowsRead = /** @type {{ Value: string }[]} */ (status).reduce((n, s) => n + Number(s.Value), 0);
      value = row.unread;
    }
    return { p50: percentile(times, 50), rowsRead, value: Number(value) };
  };
  return { counters: await measure(counters), scan: await measure(scan) };
}
