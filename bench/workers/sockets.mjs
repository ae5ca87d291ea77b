// Idle WebSocket connections, held open from this process.
// mode 'bare': plain `ws` connections to the bare server (the floor: a socket and nothing else).
// mode 'api':  graphql-transport-ws connections to an API instance, each authenticated at
//              connection_init and running one roomEvents subscription for a room of its user.
// `churn` completes every subscription and starts it again on the same socket.
import { createRequire } from 'node:module';
import { pool, sleep } from '../lib/util.mjs';
import { serve } from './serve.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const ROOM_EVENTS =
  'subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId seq message { id seq body clientMessageId sender { id nickname } } } }';

let conns = [];
let closedUnexpectedly = 0;
let errors = 0;
let firstError = null;
let events = 0;
let generation = 0;

function open(url, mode, item, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, mode === 'api' ? 'graphql-transport-ws' : undefined, {
      localAddress,
      perMessageDeflate: false,
    });
    const conn = { ws, item, subscribed: false, events: 0, closing: false };
    const fail = (err) => {
      firstError ??= String(err?.message ?? err);
      reject(err);
    };
    ws.on('open', () => {
      if (mode === 'bare') {
        conn.opened = true;
        return resolve(conn);
      }
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${item.token}` } }));
    });
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.type === 'connection_ack') {
        conn.opened = true;
        subscribeOn(conn);
        resolve(conn);
      } else if (msg.type === 'next') {
        if (msg.payload?.errors) {
          errors++;
          firstError ??= JSON.stringify(msg.payload.errors).slice(0, 300);
        } else {
          conn.events++;
          events++;
        }
      } else if (msg.type === 'error') {
        errors++;
        firstError ??= JSON.stringify(msg.payload).slice(0, 300);
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
    ws.on('error', fail);
    ws.on('close', (code) => {
      if (!conn.closing && conn.opened) {
        closedUnexpectedly++;
        firstError ??= `closed with ${code}`;
      }
      reject(new Error(`closed with ${code}`));
    });
  });
}

function subscribeOn(conn) {
  conn.subId = `s${generation}`;
  conn.ws.send(
    JSON.stringify({
      id: conn.subId,
      type: 'subscribe',
      payload: { query: ROOM_EVENTS, variables: { roomId: conn.item.roomId } },
    }),
  );
  conn.subscribed = true;
}

serve({
  /** items: [{ token, roomId }] (api) or just a count (bare); opened `concurrency` at a time from `localAddress`. */
  async open({ url, mode, items, count, localAddress, concurrency = 50 }) {
    const list = items ?? Array.from({ length: count }, () => ({}));
    const started = performance.now();
    let failed = 0;
    await pool(list, concurrency, async (item) => {
      // One retry: a reset under a connect storm is the network's, a second one is ours to count.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          conns.push(await open(url, mode, item, localAddress));
          return;
        } catch {
          await sleep(200);
        }
      }
      failed++;
    });
    if (failed) firstError ??= `${failed} connections could not be opened`;
    return { open: conns.length, failed, seconds: (performance.now() - started) / 1000, errors: failed, firstError };
  },

  /** Ends every subscription and starts it again (a new operation id) on the same socket. */
  async churn({ batch = 500, pauseMs = 5 }) {
    generation++;
    for (let i = 0; i < conns.length; i += batch) {
      for (const conn of conns.slice(i, i + batch)) {
        conn.ws.send(JSON.stringify({ id: conn.subId, type: 'complete' }));
        subscribeOn(conn);
      }
      await sleep(pauseMs);
    }
    return { churned: conns.length };
  },

  async stats() {
    return {
      open: conns.filter((c) => c.ws.readyState === WebSocket.OPEN).length,
      events,
      errors,
      closedUnexpectedly,
      firstError,
    };
  },

  /** Rooms whose socket received at least one event since the last reset. */
  async heard({ reset = false }) {
    const rooms = conns.filter((c) => c.events > 0).map((c) => c.item.roomId);
    if (reset) for (const c of conns) c.events = 0;
    return rooms;
  },

  async close() {
    for (const conn of conns) {
      conn.closing = true;
      conn.ws.close(1000);
    }
    await sleep(200);
    for (const conn of conns) conn.ws.terminate();
    const closed = conns.length;
    conns = [];
    return { closed };
  },
});
