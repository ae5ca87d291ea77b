'use strict';
// API instances as real processes (`node api/dist/main.js`), for `npm run topology`. The jest
// tests start theirs with api/test/utils/spawn-instance.ts, which does the same in-test.
const { existsSync } = require('node:fs');
const path = require('node:path');
const { fatal, spawnDaemon, stopPid, tail, waitFor } = require('./process.cjs');

const MAIN = path.resolve(__dirname, '../../api/dist/main.js');
const MIGRATE = path.resolve(__dirname, '../../api/dist/migrate.js');

function requireBuild() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build -w api" first`);
}

/**
 * Runs the migrations once (`npm run migrate` does the same), as the docker compose `migrate` service does.
 * @param {Record<string, string>} env
 * @param {string} logFile
 */
async function migrateOnce(env, logFile) {
  requireBuild();
  const daemon = spawnDaemon(process.execPath, [MIGRATE], { env: { ...process.env, ...env }, logFile });
  await waitFor(() => daemon.exitCode !== undefined, { timeoutMs: 120_000, message: 'migrations' });
  if (daemon.exitCode !== 0) throw new Error(`migrations failed (${daemon.exitCode}): ${tail(logFile)}`);
}

/**
 * @typedef {object} ApiInstance
 * @property {string} name
 * @property {number} pid
 * @property {number} port
 * @property {string} url
 * @property {() => Promise<void>} stop
 */

/**
 * Starts one instance on `port` and resolves once GET /readyz answers 200.
 * @param {{ name: string, port: number, env: Record<string, string>, logFile: string }} options
 * @returns {Promise<ApiInstance>}
 */
async function startApi({ name, port, env, logFile }) {
  requireBuild();
  const daemon = spawnDaemon(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port) },
    logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (daemon.exitCode !== undefined) throw fatal(`${name} exited (${daemon.exitCode}): ${tail(logFile)}`);
        return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok;
      },
      { timeoutMs: 30_000, message: `${name} on port ${port} to become ready` },
    );
  } catch (err) {
    await stopPid(daemon.pid, { signal: 'SIGKILL', expect: 'main.js' });
    throw err;
  }
  return {
    name,
    pid: daemon.pid,
    port,
    url,
    stop: () => stopPid(daemon.pid, { signal: 'SIGTERM', graceMs: 15_000, expect: 'main.js' }),
  };
}

module.exports = { startApi, migrateOnce };
