// Load generators and bare servers run as child processes; they answer calls over IPC (see
// bench/workers/serve.mjs). Each call is { id, method, args } -> { id, result } | { id, error }.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {import('../workers/serve.mjs').Methods} Methods */

/**
 * A running worker whose methods are `M` (the object its file passes to `serve`).
 * @template {Methods} M
 * @typedef {object} Worker
 * @property {string} name
 * @property {number | undefined} pid
 * @property {<K extends keyof M & string>(method: K, ...args: Parameters<M[K]>) => Promise<Awaited<ReturnType<M[K]>>>} call
 *   runs one method in the worker; rejects with its error, or when the worker exits
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 5 s
 */

/** @typedef {{ resolve(value: unknown): void, reject(err: Error): void, method: string }} Waiter */
/** @typedef {{ id: number, result?: unknown, error?: string }} Reply */

/**
 * @param {unknown} msg
 * @returns {msg is Reply}
 */
const isReply = (msg) => typeof msg === 'object' && msg !== null && 'id' in msg && typeof msg.id === 'number';

const here = path.dirname(fileURLToPath(import.meta.url));
/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();

/**
 * Forks bench/workers/<file> and returns a handle whose `call` runs one of its methods. `M` comes
 * from the variable the handle is assigned to (e.g. `Worker<GeoLoad>`).
 * @template {Methods} M
 * @param {string} file
 * @param {{ name?: string, env?: Record<string, string> }} [options]
 * @returns {Worker<M>}
 */
export function startWorker(file, { name = file, env = {} } = {}) {
  const child = fork(path.resolve(here, '../workers', file), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
    execArgv: ['--max-old-space-size=2048', '--expose-gc'],
  });
  live.add(child);
  /** @type {Map<number, Waiter>} */
  const pending = new Map();
  let nextId = 0;
  /** @type {Error | null} */
  let exitError = null;
  child.on('message', (msg) => {
    if (!isReply(msg)) return;
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(`${name}.${waiter.method}: ${msg.error}`));
    else waiter.resolve(msg.result);
  });
  child.once('exit', (code, signal) => {
    live.delete(child);
    const error = new Error(`worker ${name} exited (${code ?? signal})`);
    exitError = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  return {
    name,
    pid: child.pid,
    call(method, ...args) {
      if (exitError) return Promise.reject(exitError);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, method });
        child.send({ id, method, args: args[0] ?? {} });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every worker still running (on failure paths). */
export function killAllWorkers() {
  for (const child of live) child.kill('SIGKILL');
}
