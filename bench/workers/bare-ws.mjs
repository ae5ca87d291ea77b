// The idle-socket floor: a bare `ws` WebSocketServer (same maxPayload, no compression) that accepts
// connections and holds them. `memory` reports process.memoryUsage() after a full GC.
import http from 'node:http';
import { createRequire } from 'node:module';
import { serve } from './serve.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws');

let server;
let wss;
serve({
  async start({ maxPayload = 65_536 }) {
    server = http.createServer((_req, res) => res.end('ok'));
    wss = new WebSocketServer({ server, maxPayload, perMessageDeflate: false });
    wss.on('connection', (ws) => ws.on('error', () => undefined));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: server.address().port, pid: process.pid };
  },
  async connections() {
    return wss.clients.size;
  },
  async memory() {
    global.gc?.();
    global.gc?.();
    return process.memoryUsage();
  },
});
