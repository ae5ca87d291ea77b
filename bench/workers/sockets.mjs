// Idle WebSocket connections, held open from this process.
// mode 'bare': plain `ws` connections to the bare server (the floor: a socket and nothing else).
// mode 'api':  graphql-transport-ws connections to an API instance, each authenticated at
//              connection_init and running one roomEvents subscription for a room of its user.
// `churn` completes every subscription and starts it again on the same socket.
import WebSocket from 'ws';
import { pool, sleep } from '../lib/util.mjs';
import { serve } from './serve.mjs';

/** What one connection is for: an API session and one of its user's rooms; nothing in bare mode. */
/** @typedef {{ token?: string, roomId?: string }} Item */
/**
 * @typedef {object} Conn
 * @property {WebSocket} ws
 * @property {Item} item
 * @property {boolean} subscribed
 * @property {number} events received since the last `heard({ reset: true })`
 * @property {boolean} closing
 * @property {boolean} [opened]
 * @property {string} [subId] the current subscription's operation id
 * @property {number} refusals UNAVAILABLE refusals in a row of the current subscription
 * @property {string} [last] the last message received: its type and operation id
 */

const ROOM_EVENTS =
  'subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId seq message { id seq body clientMessageId sender { id nickname } } } }';

/** @type {Conn[]} */
let conns = [];
let closedUnexpectedly = 0;
let errors = 0;
/** @type {string | null} */
let firstError = null;
let events = 0;
let generation = 0;
/** Subscriptions refused with UNAVAILABLE (and subscribed again after retryAfterMs). */
let shed = 0;
/** The refusals' messages, counted. @type {Record<string, number>} */
const refusalMessages = {};
/** Subscribe operations sent: each gets a fresh operation id. */
let attempts = 0;

/**
 * @param {string} url
 * @param {'bare' | 'api'} mode
 * @param {Item} item
 * @param {string} [localAddress]
 * @returns {Promise<Conn>}
 */
function open(url, mode, item, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, mode === 'api' ? 'graphql-transport-ws' : undefined, {
      localAddress,
      perMessageDeflate: false,
    });
    /** @type {Conn} */
    const conn = { ws, item, subscribed: false, events: 0, closing: false, refusals: 0 };
    /** @param {Error} err */
    const fail = (err) => {
      firstError ??= String(err.message);
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
      conn.last = `${msg.type} ${msg.id ?? ''}`;
      if (msg.type === 'connection_ack') {
        conn.opened = true;
        subscribeOn(conn);
        resolve(conn);
      } else if (msg.type === 'next') {
        const retryAfterMs = unavailable(msg.payload?.errors);
        if (retryAfterMs !== null && msg.id === conn.subId) {
          // Refused while the server sheds load (a storm of subscriptions): as the web app does
          // (web/src/api/live.ts), subscribe again after the server's retryAfterMs or the backoff,
          // whichever is longer.
          shed++;
          const text = String(msg.payload.errors[0]?.message);
          refusalMessages[text] = (refusalMessages[text] ?? 0) + 1;
          conn.subscribed = false;
          const wait = Math.max(retryAfterMs, backoffMs(conn.refusals++));
          setTimeout(() => {
            if (!conn.closing && conn.ws.readyState === WebSocket.OPEN && !conn.subscribed) subscribeOn(conn);
          }, wait);
        } else if (msg.payload?.errors) {
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

/**
 * The web app's reconnect backoff (web/src/api/backoff.ts): exponential from 500 ms, capped at
 * 30 s, half of it random.
 * @param {number} attempt
 */
const backoffMs = (attempt) => {
  const ceiling = Math.min(30_000, 500 * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
};

/**
 * The wait an UNAVAILABLE refusal asks for (its retryAfterMs), or null for anything else.
 * @param {unknown} errors a `next` payload's errors
 */
function unavailable(errors) {
  if (!Array.isArray(errors)) return null;
  const ext = errors[0]?.extensions;
  return ext?.code === 'UNAVAILABLE' ? Number(ext.retryAfterMs ?? 1000) : null;
}

/** @param {Conn} conn */
function subscribeOn(conn) {
  conn.subId = `s${generation}-${attempts++}`;
  conn.ws.send(
    JSON.stringify({
      id: conn.subId,
      type: 'subscribe',
      payload: { query: ROOM_EVENTS, variables: { roomId: conn.item.roomId } },
    }),
  );
  conn.subscribed = true;
}

export const methods = {
  /**
   * items: [{ token, roomId }] (api) or just a count (bare); opened `concurrency` at a time from `localAddress`.
   * @param {object} args
   * @param {string} args.url
   * @param {'bare' | 'api'} args.mode
   * @param {Item[]} [args.items]
   * @param {number} [args.count]
   * @param {string} [args.localAddress]
   * @param {number} [args.concurrency]
   */
  async open({ url, mode, items, count = 0, localAddress, concurrency = 50 }) {
    /** @type {Item[]} */
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

  /**
   * Ends every subscription and starts it again (a new operation id) on the same socket.
   * @param {{ batch?: number, pauseMs?: number }} args
   */
  async churn({ batch = 500, pauseMs = 5 }) {
    generation++;
    for (let i = 0; i < conns.length; i += batch) {
      for (const conn of conns.slice(i, i + batch)) {
        conn.ws.send(JSON.stringify({ id: conn.subId, type: 'complete' }));
        conn.refusals = 0;
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
      shed,
      refusalMessages,
      closedUnexpectedly,
      firstError,
    };
  },

  /**
   * Rooms whose socket received at least one event since the last reset.
   * @param {{ reset?: boolean }} args
   */
  async heard({ reset = false }) {
    const rooms = conns.filter((c) => c.events > 0).map((c) => c.item.roomId);
    if (reset) for (const c of conns) c.events = 0;
    return rooms;
  },

  /**
   * The state of the connections of these rooms (why a probe went unheard).
   * @param {{ roomIds: string[] }} args
   */
  async inspect({ roomIds }) {
    const wanted = new Set(roomIds);
    return conns
      .filter((c) => c.item.roomId && wanted.has(c.item.roomId))
      .map((c) => ({
        roomId: c.item.roomId,
        subId: c.subId,
        subscribed: c.subscribed,
        refusals: c.refusals,
        last: c.last,
        open: c.ws.readyState === WebSocket.OPEN,
      }));
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
};
/** @typedef {typeof methods} Sockets */

serve(methods);
