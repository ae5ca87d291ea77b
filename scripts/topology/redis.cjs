'use strict';
// A redis-server of its own on its own port, data under its own directory (the shared
// 127.0.0.1:6379 one is never touched). Used by `npm run topology` and the Redis restart test.
const { existsSync, mkdirSync, rmSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { fatal, spawnDaemon, stopPid, tail, waitFor } = require('./process.cjs');

function redisBinary() {
  return (
    process.env.REDIS_SERVER ?? ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p))
  );
}

/**
 * Sends one inline command and resolves with the first reply line.
 * @param {number} port
 * @param {string} command
 * @param {number} [timeoutMs]
 * @returns {Promise<string>}
 */
function redisCommand(port, command, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`redis on ${port}: no reply to ${command}`)));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (d) => {
      reply += d;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
  });
}

/**
 * @typedef {object} RedisServer
 * @property {number} port
 * @property {string} url
 * @property {number} pid
 * @property {string} dir
 * @property {() => Promise<void>} stop
 * @property {() => Promise<void>} kill SIGKILL, as a crash: nothing is flushed or handed over
 * @property {() => Promise<void>} start starts it again (after `stop` or `kill`) on the same port and files
 * @property {(options?: { wipe?: boolean, downMs?: number }) => Promise<void>} restart downMs in milliseconds
 * @property {(command: string) => Promise<string>} command one inline command, its first reply line
 */

/**
 * Starts redis-server on 127.0.0.1:`port` with its files in `dir`. `persistent` turns on the
 * append-only file (fsync every write), as production runs it: a restart keeps sessions, limits
 * and the queue. `restart()` stops it and starts it again on the same port and files; with
 * `{ wipe: true }` the files are deleted in between (a Redis that lost everything).
 */
/**
 * @param {{ dir: string, port: number, persistent?: boolean, args?: readonly string[] }} options
 *   `args`: more redis-server arguments (e.g. cluster mode)
 * @returns {Promise<RedisServer>}
 */
async function startRedis({ dir, port, persistent = true, args: extra = [] }) {
  const bin = redisBinary();
  if (!bin) throw new Error('redis-server not found (apt-get install -y redis-server)');
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    persistent ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--logfile',
    path.join(dir, 'redis.log'),
    ...extra,
  ];
  const boot = async () => {
    const daemon = spawnDaemon(bin, args, { logFile: path.join(dir, 'redis.out') });
    handle.pid = daemon.pid;
    await waitFor(
      async () => {
        if (daemon.exitCode !== undefined)
          throw fatal(`redis-server exited (${daemon.exitCode}): ${tail(path.join(dir, 'redis.log'))}`);
        return (await redisCommand(port, 'PING')) === '+PONG';
      },
      { timeoutMs: 10_000, message: `redis-server on port ${port}` },
    );
  };
  /** @type {RedisServer} */
  const handle = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: 0,
    dir,
    async stop() {
      await stopPid(handle.pid, { signal: 'SIGTERM', graceMs: 5000, expect: 'redis-server' });
    },
    async kill() {
      await stopPid(handle.pid, { signal: 'SIGKILL', graceMs: 5000, expect: 'redis-server' });
    },
    start: () => boot(),
    async restart({ wipe = false, downMs = 0 } = {}) {
      await handle.stop();
      if (wipe) {
        for (const name of ['appendonlydir', 'appendonly.aof', 'dump.rdb'])
          rmSync(path.join(dir, name), { recursive: true, force: true });
      }
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await boot();
    },
    command: (command) => redisCommand(port, command),
  };
  await boot();
  return handle;
}

module.exports = { redisBinary, startRedis, redisCommand };
