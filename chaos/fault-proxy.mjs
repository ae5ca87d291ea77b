// A TCP fault proxy (node:net) between the API instances and a backend (MariaDB, Redis). It
// forwards bytes both ways and, on command, adds latency, resets connections or partitions:
// - latency(maxMs): each chunk waits a random 0..maxMs ms per direction; a chunk is never
//   delivered before the one before it on the same connection (byte order holds).
// - reset(fraction): resets (RST) that share of the open connections, both sides.
// - partition(): new connections are refused (reset at once); open ones are blackholed: their
//   bytes are held, not forwarded and not dropped, like packets a real partition delays.
// - heal(): ends the partition (held bytes flow, in order) and the latency.
import net from 'node:net';

/**
 * @typedef {object} Pipe one direction of a connection: chunks leave in arrival order
 * @property {net.Socket} to
 * @property {{ chunk: Buffer, at: number }[]} queue chunks not yet delivered, each with its due time (Date.now() scale)
 * @property {NodeJS.Timeout | undefined} timer set while the head waits for its due time
 */

/**
 * @typedef {object} Link one proxied connection
 * @property {net.Socket} client
 * @property {net.Socket} upstream
 * @property {Pipe} up client → backend
 * @property {Pipe} down backend → client
 */

/**
 * Starts a proxy on 127.0.0.1 (`port`, 0 for any) forwarding to `target`.
 * @param {{ target: { host?: string, port: number }, port?: number, name?: string, random?: () => number }} options
 */
export async function startFaultProxy({ target, port = 0, name = 'proxy', random = Math.random }) {
  /** @type {Set<Link>} */
  const links = new Set();
  let latencyMs = 0;
  let partitioned = false;
  const stats = { accepted: 0, refused: 0, reset: 0 };

  /**
   * Delivers the queue's due head chunks unless partitioned; schedules itself for the next one.
   * @param {Pipe} pipe
   */
  const pump = (pipe) => {
    clearTimeout(pipe.timer);
    pipe.timer = undefined;
    if (partitioned) return;
    const now = Date.now();
    while (pipe.queue.length > 0) {
      const head = /** @type {{ chunk: Buffer, at: number }} */ (pipe.queue[0]);
      if (head.at > now) {
        pipe.timer = setTimeout(() => pump(pipe), head.at - now);
        return;
      }
      pipe.queue.shift();
      if (!pipe.to.destroyed) pipe.to.write(head.chunk);
    }
  };

  /**
   * @param {Pipe} pipe
   * @param {Buffer} chunk
   */
  const forward = (pipe, chunk) => {
    pipe.queue.push({ chunk, at: Date.now() + (latencyMs > 0 ? random() * latencyMs : 0) });
    if (pipe.queue.length === 1) pump(pipe);
  };

  const server = net.createServer((client) => {
    if (partitioned) {
      stats.refused++;
      client.resetAndDestroy();
      return;
    }
    stats.accepted++;
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    /** @type {Link} */
    const link = {
      client,
      upstream,
      up: { to: upstream, queue: [], timer: undefined },
      down: { to: client, queue: [], timer: undefined },
    };
    links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk) => forward(link.up, chunk));
    upstream.on('data', (chunk) => forward(link.down, chunk));
    // A close on one side closes the other (after what was sent before it, when no bytes are held).
    const drop = () => {
      links.delete(link);
      clearTimeout(link.up.timer);
      clearTimeout(link.down.timer);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const address = /** @type {net.AddressInfo} */ (server.address());

  return {
    name,
    port: address.port,
    target,
    stats,
    /** How many connections are open now. */
    get connections() {
      return links.size;
    },
    /** Bytes accepted but not yet forwarded (delayed or held by a partition), both directions. */
    get pendingBytes() {
      let n = 0;
      for (const link of links)
        for (const pipe of [link.up, link.down]) for (const { chunk } of pipe.queue) n += chunk.length;
      return n;
    },
    get partitioned() {
      return partitioned;
    },
    /** @param {number} maxMs every chunk waits a random 0..maxMs ms (0 turns latency off) */
    latency(maxMs) {
      latencyMs = maxMs;
    },
    /**
     * Resets `fraction` (0..1) of the open connections (both sides get RST); returns how many.
     * @param {number} [fraction]
     */
    reset(fraction = 1) {
      const all = [...links];
      const count = Math.round(all.length * fraction);
      for (const link of all.slice(0, count)) {
        links.delete(link);
        clearTimeout(link.up.timer);
        clearTimeout(link.down.timer);
        link.client.resetAndDestroy();
        link.upstream.resetAndDestroy();
      }
      stats.reset += count;
      return count;
    },
    /** Refuses new connections and holds the bytes of open ones until heal(). */
    partition() {
      partitioned = true;
    },
    /** Ends a partition (held bytes are delivered in order) and turns latency off. */
    heal() {
      partitioned = false;
      latencyMs = 0;
      for (const link of links) {
        pump(link.up);
        pump(link.down);
      }
    },
    /** Closes the listener and every connection. */
    async close() {
      for (const link of links) {
        clearTimeout(link.up.timer);
        clearTimeout(link.down.timer);
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startFaultProxy>>} FaultProxy */
