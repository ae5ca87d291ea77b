import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlRunner, SqlSession } from '../../infra/db/sql-runner.port';
import { dateFromColumn } from '../../infra/db/sql-values';
import type { NewFamily, RefreshTokenStore, RotateResult } from './refresh-token.port';

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
 * its rotated hashes; expired families of a user are purged when the user opens a new one. A new
 * family is one INSERT in autocommit.
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
        if (!family) return { status: 'invalid' };
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
        await deleteFamily(db, familyId);
        await db.commit();
        return { status: 'reused' };
      });
    },

    revokeFamily(familyId) {
      return sql.session(async (db) => {
        const family = await lockFamily(db, familyId);
        if (!family) return null;
        await deleteFamily(db, familyId);
        await db.commit();
        return family.user_id;
      });
    },

    revokeAllForUser(userId) {
      return sql.session(async (db) => {
        await db.begin();
        const families = await db.all<{ id: string; expires_at: unknown }>(
          `SELECT id, expires_at FROM login_sessions WHERE user_id = ?${forUpdate}`,
          [userId],
        );
        for (const { id } of families) await deleteFamily(db, id);
        await db.commit();
        const now = Date.now();
        return families.filter((f) => dateFromColumn(f.expires_at).getTime() > now).map((f) => f.id);
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
