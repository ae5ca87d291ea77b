// The idle-socket floor: a bare `ws` WebSocketServer (same maxPayload, no compression) that accepts
// connections and holds them. `memory` reports process.memoryUsage() after a full GC.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { listeningPort, serve } from './serve.mjs';

/** @type {WebSocketServer | undefined} */
let wss;
export const methods = {
  /** @param {{ maxPayload?: number }} args bytes */
  async start({ maxPayload = 65_536 }) {
    const server = http.createServer((_req, res) => res.end('ok'));
    wss = new WebSocketServer({ server, maxPayload, perMessageDeflate: false });
    wss.on('connection', (ws) => ws.on('error', () => undefined));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    return { port: listeningPort(server), pid: process.pid };
  },
  async connections() {
    return wss?.clients.size ?? 0;
  },
  async memory() {
    global.gc?.();
    global.gc?.();
    return process.memoryUsage();
  },
};
/** @typedef {typeof methods} BareWs */

serve(methods);
