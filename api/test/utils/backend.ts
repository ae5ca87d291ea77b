import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { createTestRedis, redisTestEnv } from './redis';

/** `embedded` (SQLite + in-process adapters) or `real` (MariaDB + Redis); set by scripts/test.mjs. */
export type BackendKind = 'embedded' | 'real';

export const backendKind = (): BackendKind => (process.env.RANDCHAT_TEST_BACKEND === 'real' ? 'real' : 'embedded');

/** Base URL of the MariaDB server tests create their databases on. */
export const mysqlTestUrl = (): string => process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestBackend {
  kind: BackendKind;
  /** Environment for every API instance sharing this backend. */
  env: Record<string, string>;
  /** Drops the test database / data directory and every Redis key under the prefix. */
  cleanup(): Promise<void>;
}

/** A fresh, isolated backend for one test file: its own SQLite dir, or its own MySQL database and Redis prefix. */
export async function createTestBackend(kind: BackendKind = backendKind()): Promise<TestBackend> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'randchat-test-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const common = { DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString('base64url') };
  if (kind === 'embedded') return { kind, env: common, cleanup: async () => removeDataDir() };

  const database = `rct_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection(mysqlTestUrl());
  await admin.query(`CREATE DATABASE \`${database}\``);
  const [[{ version }]] = (await admin.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
  await admin.end();
  // The API picks its MariaDB or MySQL driver from the URL scheme.
  const scheme = /mariadb/i.test(version) ? 'mariadb:' : 'mysql:';
  const databaseUrl = `${mysqlTestUrl().replace(/^mysql:/, scheme)}/${database}`;
  const redis = createTestRedis();
  return {
    kind,
    env: { ...common, DATABASE_URL: databaseUrl, ...redisTestEnv(), REDIS_PREFIX: redis.prefix },
    async cleanup() {
      const conn = await createConnection(mysqlTestUrl());
      await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await conn.end();
      await redis.cleanup();
      removeDataDir();
    },
  };
}
