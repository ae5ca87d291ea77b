// The fault proxies in a process of their own. In the harness's process every byte between the API
// instances and MariaDB/Redis waited for an event loop shared with a hundred simulated users, which
// put the load generator's own delays on every database round trip; a network does not do that.
// `startFaultProxies(names)` forks this file; the child runs one proxy per name (fault-proxy.mjs) and
// obeys the parent's commands. Each proxy handle has the proxy's port and async commands.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFaultProxy } from './fault-proxy.mjs';

const COMMANDS = /** @type {const} */ (['latency', 'reset', 'partition', 'heal', 'close']);

/**
 * @typedef {object} RemoteFaultProxy a fault proxy in the child process
 * @property {string} name
 * @property {number} port
 * @property {(maxMs: number) => Promise<void>} latency
 * @property {(fraction?: number) => Promise<number>} reset resolves with how many connections were reset
 * @property {() => Promise<void>} partition
 * @property {() => Promise<void>} heal
 * @property {() => Promise<void>} close
 */

/**
 * Forks the proxy process with one proxy per `targets` entry; `stop()` closes them and ends it.
 * @param {Record<string, { port: number, host?: string }>} targets
 * @returns {Promise<{ proxies: Record<string, RemoteFaultProxy>, stop: () => Promise<void> }>}
 */
export async function startFaultProxies(targets) {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  const waiting = new Map();
  child.on('message', (/** @type {{ id: number, result?: unknown, error?: string }} */ m) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`the fault proxy process exited (${code})`));
    waiting.clear();
  });
  /** @param {string} name @param {string} op @param {unknown[]} args */
  const send = (name, op, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ id, name, op, args });
    });

  /** @type {Record<string, RemoteFaultProxy>} */
  const proxies = {};
  for (const [name, target] of Object.entries(targets)) {
    const port = /** @type {number} */ (await send(name, 'start', [target]));
    proxies[name] = /** @type {RemoteFaultProxy} */ ({
      name,
      port,
      ...Object.fromEntries(COMMANDS.map((op) => [op, (/** @type {unknown[]} */ ...args) => send(name, op, args)])),
    });
  }
  return {
    proxies,
    async stop() {
      if (child.exitCode !== null) return;
      await Promise.all(Object.values(proxies).map((p) => p.close().catch(() => undefined)));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

if (process.argv.includes('--child')) {
  /** @type {Map<string, import('./fault-proxy.mjs').FaultProxy>} */
  const proxies = new Map();
  /** @param {{ id: number, name: string, op: string, args: any[] }} m */
  const obey = async (m) => {
    try {
      let result;
      if (m.op === 'start') {
        const proxy = await startFaultProxy({ target: m.args[0], name: m.name });
        proxies.set(m.name, proxy);
        result = proxy.port;
      } else {
        const proxy = proxies.get(m.name);
        if (!proxy || !COMMANDS.includes(/** @type {any} */ (m.op))) throw new Error(`no ${m.op} on ${m.name}`);
        result = await /** @type {any} */ (proxy)[m.op](...m.args);
      }
      process.send?.({ id: m.id, result });
    } catch (err) {
      process.send?.({ id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  };
  process.on('message', (m) => void obey(/** @type {any} */ (m)));
  // The parent went away (or stopped us): nothing is left to proxy for.
  process.on('disconnect', () => process.exit(0));
}
