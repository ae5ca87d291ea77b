'use strict';
// Process plumbing shared by the topology pieces: free ports, waiting with a deadline, daemons
// started in their own process group with their output in a log file, and stopping them by pid.
const { spawn } = require('node:child_process');
const { closeSync, existsSync, openSync, readFileSync } = require('node:fs');
const net = require('node:net');

/**
 * A TCP port that was free on 127.0.0.1 a moment ago.
 * @returns {Promise<number>}
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Whether `port` can be bound on 127.0.0.1 right now.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * `preferred` when it is free, else any free port.
 * @param {number | undefined} preferred
 * @returns {Promise<number>}
 */
async function portOr(preferred) {
  return preferred && (await portIsFree(preferred)) ? preferred : freePort();
}

/**
 * Resolves once `check` returns a truthy value (which it resolves with); throws after `timeoutMs`.
 * @template T
 * @param {() => T | Promise<T>} check
 * @param {{ timeoutMs?: number, intervalMs?: number, message?: string }} [options] times in milliseconds
 * @returns {Promise<NonNullable<T>>}
 */
async function waitFor(check, { timeoutMs = 10_000, intervalMs = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  /** @type {unknown} */
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      if (isFatal(err)) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError
        ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`
        : '';
      throw new Error(`waited ${timeoutMs} ms for ${message}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * An error that makes `waitFor` give up at once (e.g. the process it waits for has exited).
 * @param {string} message
 */
function fatal(message) {
  return Object.assign(new Error(message), { fatal: true });
}

/**
 * @param {unknown} err
 * @returns {boolean}
 */
const isFatal = (err) => err instanceof Error && 'fatal' in err && err.fatal === true;

/**
 * The last `lines` lines of a text file ('' when it does not exist).
 * @param {string} file
 */
function tail(file, lines = 20) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * @typedef {object} Daemon
 * @property {number} pid
 * @property {import('node:child_process').ChildProcess} child
 * @property {number | string | null | undefined} exitCode the exit code, signal or spawn error once it exited
 */

/**
 * Starts `command` in its own process group (it outlives the caller, as `npm run topology up`
 * needs), stdout and stderr appended to `logFile`. The child is unref'd: the caller's event loop
 * does not wait for it. `exitCode` is set once it exits (while the caller still runs).
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ logFile: string, env?: NodeJS.ProcessEnv, cwd?: string }} options
 * @returns {Daemon}
 */
function spawnDaemon(command, args, { logFile, env = process.env, cwd }) {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    if (!child.pid) throw new Error(`could not start ${command}`);
    /** @type {Daemon} */
    const handle = { pid: child.pid, child, exitCode: undefined };
    child.once('exit', (code, signal) => (handle.exitCode = code ?? signal));
    child.once('error', (err) => (handle.exitCode = err.message));
    child.unref();
    return handle;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `pid` is a live (not zombie) process whose command line contains `expect`.
 * @param {number | undefined} pid
 * @param {string} [expect]
 */
function isRunning(pid, expect) {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    if (!expect) return true;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(expect);
  } catch {
    return false;
  }
}

/**
 * Stops one process by pid: `signal`, then SIGKILL after `graceMs`; resolves once it is gone.
 * `expect` (a part of its command line) guards against a pid reused by an unrelated process.
 * @param {number | undefined} pid
 * @param {{ signal?: NodeJS.Signals, graceMs?: number, expect?: string }} [options] graceMs in milliseconds
 * @returns {Promise<void>}
 */
async function stopPid(pid, { signal = 'SIGTERM', graceMs = 10_000, expect } = {}) {
  if (!pid || !isRunning(pid, expect)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  try {
    await waitFor(() => !isRunning(pid), { timeoutMs: graceMs, intervalMs: 50, message: `pid ${pid} to exit` });
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    await waitFor(() => !isRunning(pid), { timeoutMs: 5000, intervalMs: 50, message: `pid ${pid} to die` });
  }
}

module.exports = { freePort, portIsFree, portOr, waitFor, fatal, tail, spawnDaemon, isRunning, stopPid };
