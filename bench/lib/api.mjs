// API instances as separate processes: api/dist/main.js behind bench/lib/api-host.cjs (IPC for memory).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const API_MAIN = path.resolve(here, '../../api/dist/main.js');

/** @typedef {Awaited<ReturnType<typeof startApi>>} ApiInstance */

/**
 * Starts one instance on a free port and waits for /readyz. `profileDir`: run under --cpu-prof
 * (the profile is written there when the process exits after SIGTERM).
 * @param {Record<string, string>} env
 * @param {{ name?: string, profileDir?: string }} [options]
 */
export async function startApi(env, { name = 'api', profileDir } = {}) {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run "npm run build -w api"`);
  const port = await freePort();
  const execArgv = ['--expose-gc'];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  // BENCH_API_LOGS=<dir>: each instance's log (JSON lines, warnings and errors) in <dir>/<name>.log.
  const logDir = process.env.BENCH_API_LOGS;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const logFile = logDir ? openSync(path.join(logDir, `${name}.log`), 'w') : 'ignore';
  const child = fork(path.join(here, 'api-host.cjs'), [], {
    env: { ...process.env, ...env, ...(logDir ? { LOG_LEVEL: 'warn' } : {}), PORT: String(port), HOST: '127.0.0.1' },
    execArgv,
    stdio: ['ignore', logFile, 'pipe', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start`);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  /** @type {Promise<number | NodeJS.Signals | null>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
        const res = await fetch(`${url}/readyz`).catch(() => null);
        return res?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${name} to become ready` },
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  let nextId = 0;
  return {
    name,
    url,
    port,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid,
    /**
     * process.memoryUsage() inside the instance, after a full GC when `gc` is set.
     * @returns {Promise<NodeJS.MemoryUsage>}
     */
    memory(gc = true) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no memory reply`)), 30_000);
        /** @param {unknown} msg the host's reply: { type: 'memory', id, usage } (bench/lib/api-host.cjs) */
        const onMessage = (msg) => {
          const reply = /** @type {{ type?: string, id?: number, usage: NodeJS.MemoryUsage } | null} */ (msg);
          if (reply?.type !== 'memory' || reply.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(reply.usage);
        };
        child.on('message', onMessage);
        child.send({ type: 'memory', id, gc });
      });
    },
    /**
     * Reads one counter or gauge from /metrics (summing its label sets).
     * @param {string} name
     */
    async metric(name) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
