// Load generators and bare servers run as child processes; they answer calls over IPC (see
// bench/workers/serve.mjs). Each call is { id, method, args } -> { id, result } | { id, error }.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const live = new Set();

/** Forks bench/workers/<file> and returns a handle whose `call` runs one of its methods. */
export function startWorker(file, { name = file, env = {} } = {}) {
  const child = fork(path.resolve(here, '../workers', file), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
    execArgv: ['--max-old-space-size=2048', '--expose-gc'],
  });
  live.add(child);
  const pending = new Map();
  let nextId = 0;
  let exitError = null;
  child.on('message', (msg) => {
    const waiter = pending.get(msg?.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(`${name}.${waiter.method}: ${msg.error}`));
    else waiter.resolve(msg.result);
  });
  child.once('exit', (code, signal) => {
    live.delete(child);
    exitError = new Error(`worker ${name} exited (${code ?? signal})`);
    for (const waiter of pending.values()) waiter.reject(exitError);
    pending.clear();
  });
  return {
    name,
    pid: child.pid,
    call(method, args = {}) {
      if (exitError) return Promise.reject(exitError);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, method });
        child.send({ id, method, args });
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
