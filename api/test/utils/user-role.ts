import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestBackend } from './backend';

const CLI = path.resolve(__dirname, '../../dist/set-role.js');

/**
 * Runs the built `npm run user:role` command (`api/dist/set-role.js`) against a test backend, as an
 * operator would; resolves with what it printed, rejects when it exits with an error.
 */
export async function setUserRoleByCli(backend: TestBackend, email: string, role: string): Promise<string> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build -w api" first`);
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, email, role], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...backend.env },
  });
  return stdout.trim();
}
