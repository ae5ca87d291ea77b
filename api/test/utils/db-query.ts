import path from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import type { TestBackend } from './backend';

/** Runs SQL directly on a test backend's database (bypassing the API), e.g. to inspect stored rows. */
export async function queryDb<T = Record<string, unknown>>(
  backend: TestBackend,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (backend.kind === 'embedded') {
    const db = new Database(path.join(backend.env.DATA_DIR!, 'randchat.sqlite'));
    try {
      const statement = db.prepare(sql);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    } finally {
      db.close();
    }
  }
  const conn = await createConnection(backend.env.DATABASE_URL!.replace(/^mariadb:/, 'mysql:'));
  try {
    const [rows] = await conn.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as T[];
  } finally {
    await conn.end();
  }
}

/** The room's stored messages as [id, seq], in seq order (what acknowledged sends must match). */
export async function storedMessages(backend: TestBackend, roomId: string): Promise<[string, number][]> {
  const rows = await queryDb<{ id: string; seq: number }>(
    backend,
    'SELECT id, seq FROM messages WHERE room_id = ? ORDER BY seq',
    [roomId],
  );
  return rows.map((r) => [r.id, Number(r.seq)]);
}
