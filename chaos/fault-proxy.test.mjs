// node --test chaos/fault-proxy.test.mjs: the fault proxy against a local echo server.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startFaultProxies } from './fault-proxy-process.mjs';
import { startFaultProxy } from './fault-proxy.mjs';

/** @type {net.Server} */
let echo;
/** @type {Buffer[]} what the echo server received, in order */
const received = [];

before(async () => {
  echo = net.createServer((socket) => {
    socket.on('error', () => undefined); // the reset test resets these on purpose
    socket.on('data', (chunk) => {
      received.push(chunk);
      socket.write(chunk);
    });
  });
  await new Promise((resolve) => echo.listen(0, '127.0.0.1', () => resolve(undefined)));
});
after(() => new Promise((resolve) => echo.close(() => resolve(undefined))));

const echoPort = () => /** @type {net.AddressInfo} */ (echo.address()).port;

/** @param {number} port */
function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Resolves with everything `socket` receives until `bytes` bytes arrived.
 * @param {net.Socket} socket
 * @param {number} bytes
 */
function readBytes(socket, bytes) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let n = 0;
    const onData = (/** @type {Buffer} */ chunk) => {
      chunks.push(chunk);
      n += chunk.length;
      if (n >= bytes) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks).toString());
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** @param {() => boolean} check */
async function until(check) {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

void test('with random latency every byte arrives, in order, both ways', async () => {
  // A random source that alternates long and short delays: without ordering, later chunks would overtake.
  let i = 0;
  const proxy = await startFaultProxy({ target: { port: echoPort() }, random: () => (i++ % 2 === 0 ? 0.9 : 0) });
  proxy.latency(40);
  /** @type {net.Socket} */
  const socket = await connect(proxy.port);
  const parts = Array.from({ length: 50 }, (_, k) => `<${k}>`);
  const text = parts.join('');
  const answer = readBytes(socket, text.length);
  for (const part of parts) {
    socket.write(part);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(await answer, text);
  socket.destroy();
  await proxy.close();
});

void test('partition holds the bytes of open connections and refuses new ones; heal delivers them', async () => {
  received.length = 0;
  const proxy = await startFaultProxy({ target: { port: echoPort() } });
  /** @type {net.Socket} */
  const socket = await connect(proxy.port);
  await until(() => proxy.connections === 1);
  proxy.partition();
  const answer = readBytes(socket, 5);
  socket.write('hello');
  await until(() => proxy.pendingBytes === 5);
  assert.equal(Buffer.concat(received).toString(), '', 'nothing crossed the partition');

  const refused = await new Promise((resolve) => {
    const other = net.connect({ host: '127.0.0.1', port: proxy.port });
    other.on('error', (err) => resolve(/** @type {NodeJS.ErrnoException} */ (err).code));
    other.on('close', () => resolve('closed'));
  });
  assert.ok(refused === 'ECONNRESET' || refused === 'closed', `new connection refused (${String(refused)})`);
  assert.equal(proxy.stats.refused, 1);

  proxy.heal();
  assert.equal(await answer, 'hello');
  assert.equal(Buffer.concat(received).toString(), 'hello');
  socket.destroy();
  await proxy.close();
});

void test('reset closes both sides of the chosen share of connections', async () => {
  const proxy = await startFaultProxy({ target: { port: echoPort() } });
  /** @type {net.Socket[]} */
  const sockets = [
    await connect(proxy.port),
    await connect(proxy.port),
    await connect(proxy.port),
    await connect(proxy.port),
  ];
  await until(() => proxy.connections === 4);
  const ended = sockets.map(
    (s) =>
      new Promise((resolve) => {
        s.on('error', () => undefined);
        s.on('close', () => resolve(true));
      }),
  );
  assert.equal(proxy.reset(0.5), 2);
  await Promise.all(ended.slice(0, 2));
  assert.equal(proxy.connections, 2);
  const answer = readBytes(/** @type {net.Socket} */ (sockets[3]), 2);
  sockets[3]?.write('ok');
  assert.equal(await answer, 'ok', 'the others still forward');
  for (const s of sockets) s.destroy();
  await proxy.close();
});

void test('in a process of its own, a proxy forwards and obeys partition, heal and reset', async () => {
  const { proxies, stop } = await startFaultProxies({ echo: { port: echoPort() } });
  const proxy = /** @type {import('./fault-proxy-process.mjs').RemoteFaultProxy} */ (proxies.echo);
  /** @type {net.Socket} */
  const socket = await connect(proxy.port);
  socket.on('error', () => undefined);
  const answer = readBytes(socket, 3);
  socket.write('one');
  assert.equal(await answer, 'one');
  await proxy.partition();
  const held = readBytes(socket, 3);
  socket.write('two');
  let arrived = false;
  void held.then(() => (arrived = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(arrived, false, 'nothing crossed the partition');
  await proxy.heal();
  assert.equal(await held, 'two');
  const closed = new Promise((resolve) => socket.on('close', () => resolve(true)));
  assert.equal(await proxy.reset(1), 1);
  await closed;
  await stop();
});
