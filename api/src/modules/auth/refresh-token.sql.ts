import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlRunner, SqlSession } from '../../infra/db/sql-runner.port';
import { dateFromColumn } from '../../infra/db/sql-values';
import type { NewFamily, RefreshTokenStore, RotateResult } from './refresh-token.port';
import { SessionEndReason } from './session-end-reason';

interface FamilyRow {
  user_id: string;
  current_hash: string;
  expires_at: unknown;
}

const DELETE_ROTATED = 'DELETE FROM rotated_refresh_tokens WHERE session_id = ?';
const DELETE_FAMILY = 'DELETE FROM login_sessions WHERE id = ?';

/**
 * Refresh-token families in the database (tables `login_sessions` and `rotated_refresh_tokens`,
 * login-session.entity.ts), through plain statements on the ORM's connections. Every decision runs
 * in one transaction holding the family's row (MySQL: `FOR UPDATE`; SQLite: `BEGIN IMMEDIATE` holds
 * the write lock), so two rotations of one token cannot both win. An ended family is deleted with
 * its rotated hashes, and remembered with its reason in `ended_login_sessions` in the same
 * transaction; expired families of a user, and every ended family past its expiry, are purged when
 * the user opens a new one.
 */
export function createSqlRefreshTokenStore(sql: SqlRunner): RefreshTokenStore {
  const forUpdate = sql.dialect === 'mysql' ? ' FOR UPDATE' : '';
  const lockFamily = async (db: SqlSession, familyId: string) => {
    await db.begin();
    const [row] = await db.all<FamilyRow>(
      `SELECT user_id, current_hash, expires_at FROM login_sessions WHERE id = ?${forUpdate}`,
      [familyId],
    );
    return row;
  };
  const deleteFamily = async (db: SqlSession, familyId: string) => {
    await db.run(DELETE_ROTATED, [familyId]);
    await db.run(DELETE_FAMILY, [familyId]);
  };
  /** A family that is gone: `ended` with its reason while it is remembered, else `invalid`. */
  const endedOrInvalid = async (db: SqlSession, familyId: string, now: Date): Promise<RotateResult> => {
    const [ended] = await db.all<{ reason: string; expires_at: unknown }>(
      'SELECT reason, expires_at FROM ended_login_sessions WHERE id = ?',
      [familyId],
    );
    if (!ended || now.getTime() >= dateFromColumn(ended.expires_at).getTime()) return { status: 'invalid' };
    return { status: 'ended', reason: ended.reason as SessionEndReason };
  };
  /** Deletes a live family and remembers why it ended (until it would have expired). */
  const endFamily = async (db: SqlSession, familyId: string, expiresAt: unknown, reason: SessionEndReason) => {
    await deleteFamily(db, familyId);
    await db.run('INSERT INTO ended_login_sessions (id, reason, ended_at, expires_at) VALUES (?, ?, ?, ?)', [
      familyId,
      reason,
      new Date(),
      dateFromColumn(expiresAt),
    ]);
  };

  return {
    async createFamily({ familyId, userId, tokenHash, expiresAt }: NewFamily) {
      const now = new Date();
      // The user's expired sessions go first, each by its key: a plain read and deletes by primary
      // key take no gap locks, so concurrent sign-ups and logins never deadlock on the user index.
      const expired = await sql.all<{ id: string }>(
        'SELECT id FROM login_sessions WHERE user_id = ? AND expires_at <= ?',
        [userId, now],
      );
      await sql.session(async (db) => {
        await db.run('DELETE FROM ended_login_sessions WHERE expires_at <= ?', [now]);
        for (const { id } of expired) await deleteFamily(db, id);
        await db
          .run(
            'INSERT INTO login_sessions (id, user_id, current_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
            [familyId, userId, tokenHash, expiresAt, now],
          )
          .catch((err: unknown) => {
            if (err instanceof UniqueConstraintViolationException) {
              throw new Error(`refresh-token family "${familyId}" already exists`);
            }
            throw err;
          });
      });
    },

    rotate(familyId, presentedHash, nextHash, now, reuseLeewayMs): Promise<RotateResult> {
      return sql.session(async (db) => {
        const family = await lockFamily(db, familyId);
        if (!family) return endedOrInvalid(db, familyId, now);
        const expiresAt = dateFromColumn(family.expires_at);
        if (now.getTime() >= expiresAt.getTime()) return { status: 'invalid' };
        if (family.current_hash === presentedHash) {
          await db.run('UPDATE login_sessions SET current_hash = ? WHERE id = ?', [nextHash, familyId]);
          await db.run('INSERT INTO rotated_refresh_tokens (token_hash, session_id, rotated_at) VALUES (?, ?, ?)', [
            presentedHash,
            familyId,
            now,
          ]);
          await db.commit();
          return { status: 'rotated', userId: family.user_id, expiresAt };
        }
        const [rotated] = await db.all<{ rotated_at: unknown }>(
          'SELECT rotated_at FROM rotated_refresh_tokens WHERE token_hash = ? AND session_id = ?',
          [presentedHash, familyId],
        );
        if (!rotated) return { status: 'invalid' };
        const rotatedAt = dateFromColumn(rotated.rotated_at);
        if (now.getTime() - rotatedAt.getTime() < reuseLeewayMs) {
          // The token just before the current one, again: the answer to its rotation may never have
          // reached the client (an instance died, a proxy timed out). The current token replaces it.
          const [later] = await db.all<{ n: unknown }>(
            'SELECT COUNT(*) AS n FROM rotated_refresh_tokens WHERE session_id = ? AND rotated_at > ?',
            [familyId, rotatedAt],
          );
          if (Number(later?.n ?? 0) > 0) return { status: 'stale' };
          await db.run('UPDATE login_sessions SET current_hash = ? WHERE id = ?', [nextHash, familyId]);
          await db.commit();
          return { status: 'rotated', userId: family.user_id, expiresAt };
        }
        await endFamily(db, familyId, family.expires_at, SessionEndReason.SESSION_REVOKED);
        await db.commit();
        return { status: 'reused' };
      });
    },

    revokeFamily(familyId, reason) {
      return sql.session(async (db) => {
        const family = await lockFamily(db, familyId);
        if (!family) return null;
        await endFamily(db, familyId, family.expires_at, reason);
        await db.commit();
        return family.user_id;
      });
    },

    revokeAllForUser(userId, reason) {
      return sql.session(async (db) => {
        await db.begin();
        const families = await db.all<{ id: string; expires_at: unknown }>(
          `SELECT id, expires_at FROM login_sessions WHERE user_id = ?${forUpdate}`,
          [userId],
        );
        const now = Date.now();
        const live = families.filter((f) => dateFromColumn(f.expires_at).getTime() > now);
        for (const f of families) {
          if (live.includes(f)) await endFamily(db, f.id, f.expires_at, reason);
          else await deleteFamily(db, f.id);
        }
        await db.commit();
        return live.map((f) => f.id);
      });
    },

    async isActive(familyId, now) {
      const [family] = await sql.all<{ expires_at: unknown }>('SELECT expires_at FROM login_sessions WHERE id = ?', [
        familyId,
      ]);
      return family !== undefined && now.getTime() < dateFromColumn(family.expires_at).getTime();
    },

    async dispose() {},
  };
}
