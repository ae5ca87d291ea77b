// Bulk data for the benchmarks, written straight into the schema the API migrated: users, rooms,
// members and messages come from MariaDB's SEQUENCE engine (INSERT ... SELECT FROM seq_0_to_N), so
// a million messages take seconds and no client round trips. Ids are deterministic UUID-shaped
// strings so that the bench knows them without reading them back.
//
// Sessions (access tokens) are created with the API's own modules from api/dist (AccessTokens and
// the SQL refresh-token store, writing login_sessions in the instances' database), i.e. the same two calls signUp/logIn make once a password checks
// out: the instances then authenticate them like any other token.
import { randomUUID } from 'node:crypto';
import { authModules } from './api-dist.mjs';
import { pool as inParallel } from './util.mjs';

/** @typedef {import('mysql2/promise').Connection} Connection */

/** @param {number} n */
const hex12 = (n) => n.toString(16).padStart(12, '0');
/**
 * The id of the n-th row of a group: `${tag}-0000-4000-8000-${n as 12 hex digits}` (tag: 8 hex digits).
 * @param {string} tag
 * @param {number} n
 */
export const uid = (tag, n) => `${tag}-0000-4000-8000-${hex12(n)}`;
/**
 * @param {string} tag
 * @param {string} expr an SQL expression of the row number
 */
const uidSql = (tag, expr) => `CONCAT('${tag}-0000-4000-8000-', LOWER(LPAD(HEX(${expr}), 12, '0')))`;

/**
 * SEQUENCE engine table with the rows from..to (inclusive).
 * @param {number} from
 * @param {number} to
 */
const seq = (from, to) => `seq_${from}_to_${to}`;

const BASE_TIME = "TIMESTAMP'2026-01-01 00:00:00'";

/**
 * Users `tag`/0..count-1 (no password: sessions are minted directly).
 * @param {Connection} conn
 * @param {string} tag 8 hex digits
 * @param {number} count
 */
export async function seedUsers(conn, tag, count) {
  for (let from = 0; from < count; from += 50_000) {
    const to = Math.min(count, from + 50_000) - 1;
    await conn.query(
      `INSERT INTO users (id, email, password_hash, nickname, created_at, updated_at, failed_logins, role)
       SELECT ${uidSql(tag, 'seq')}, CONCAT('${tag}-', seq, '@bench.test'), NULL, CONCAT('user', seq), ${BASE_TIME}, ${BASE_TIME}, 0, 'USER'
       FROM ${seq(from, to)}`,
    );
  }
}

/**
 * Rooms `roomTag`/0..count-1 between users `userTag`/a(n) and `userTag`/b(n), where a and b are SQL
 * expressions of `seq` (the room number). Each room has `messages` messages (sender alternating
 * a, b, a, ...); b has read everything, a up to `messages - n % 10` (so unread counts vary).
 * Newest activity: the highest room number.
 * @param {Connection} conn
 * @param {{ roomTag: string, userTag: string, count: number, a: string, b: string, messages: number }} rooms
 */
export async function seedRooms(conn, { roomTag, userTag, count, a, b, messages }) {
  await conn.query('SET foreign_key_checks = 0, unique_checks = 0');
  try {
    for (let from = 0; from < count; from += 20_000) {
      const to = Math.min(count, from + 20_000) - 1;
      const rows = seq(from, to);
      await conn.query(
        `INSERT INTO rooms (id, match_id, last_seq, created_at, last_activity_at, distance_km)
         SELECT ${uidSql(roomTag, 'seq')}, CONCAT('bench-${roomTag}-', seq), ${messages}, ${BASE_TIME},
                ${BASE_TIME} + INTERVAL seq SECOND, 1
         FROM ${rows}`,
      );
      await conn.query(
        `INSERT INTO room_members (room_id, user_id, last_read_seq, joined_at)
         SELECT ${uidSql(roomTag, 'seq')}, ${uidSql(userTag, a)}, GREATEST(0, ${messages} - CAST(seq % 10 AS SIGNED)), ${BASE_TIME} FROM ${rows}
         UNION ALL
         SELECT ${uidSql(roomTag, 'seq')}, ${uidSql(userTag, b)}, ${messages}, ${BASE_TIME} FROM ${rows}`,
      );
    }
    if (messages > 0) {
      const roomsPerChunk = Math.max(1, Math.floor(100_000 / messages));
      for (let from = 0; from < count; from += roomsPerChunk) {
        const to = Math.min(count, from + roomsPerChunk) - 1;
        await conn.query(
          `INSERT INTO messages (id, room_id, seq, sender_id, client_message_id, body, created_at)
           SELECT CONCAT(LOWER(LPAD(HEX(r.seq), 8, '0')), '-', LOWER(LPAD(HEX(m.seq), 4, '0')), '-4000-8000-${roomTag}0000'),
                  ${uidSql(roomTag, 'r.seq')}, m.seq,
                  IF(m.seq % 2 = 1, ${uidSql(userTag, a.replaceAll('seq', 'r.seq'))}, ${uidSql(userTag, b.replaceAll('seq', 'r.seq'))}),
                  CONCAT('seed-', m.seq), CONCAT('Seeded message ', m.seq, ' of a bench room'),
                  ${BASE_TIME} + INTERVAL r.seq SECOND
           FROM ${seq(from, to)} r JOIN ${seq(1, messages)} m
           ORDER BY r.seq, m.seq`,
        );
      }
    }
  } finally {
    await conn.query('SET foreign_key_checks = 1, unique_checks = 1');
  }
}

/**
 * The instances' access-token settings: issuer and audience are the API's defaults, the lifetime
 * is the ACCESS_TOKEN_TTL setup.mjs gives them (3 h).
 */
export const ACCESS_TOKENS = { issuer: 'randchat', audience: 'randchat-api', ttlMs: 3 * 3_600_000 };

/**
 * Creates one login session per user with the API's own token modules, in the database behind
 * `pool`; returns the access tokens in the order of `userIds`.
 * @param {import('mysql2/promise').Pool} pool
 * @param {{ jwtSecret: string }} options
 * @param {readonly string[]} userIds
 * @returns {Promise<string[]>}
 */
export async function mintSessions(pool, { jwtSecret }, userIds) {
  const { AccessTokens, refreshTokens, sessionStore } = authModules();
  const store = sessionStore(pool);
  const access = new AccessTokens({ secret: jwtSecret, ...ACCESS_TOKENS });
  const expiresAt = new Date(Date.now() + 30 * 86_400_000);
  /** @type {string[]} */
  const tokens = new Array(userIds.length);
  await inParallel(userIds, 20, async (userId, i) => {
    const familyId = randomUUID();
    await store.createFamily({ familyId, userId, tokenHash: refreshTokens.issue(familyId).hash, expiresAt });
    tokens[i] = access.sign(userId, familyId).token;
  });
  return tokens;
}
