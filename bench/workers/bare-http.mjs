// The `me` floor: bare node:http answering every request with the same JSON bytes the API returns.
import http from 'node:http';
import { listeningPort, serve } from './serve.mjs';

export const methods = {
  /** @param {{ body: string }} args the bytes every request is answered with */
  async start({ body }) {
    const bytes = Buffer.from(body);
    const server = http.createServer((req, res) => {
      // Read the request body as the API must, then answer.
      req.on('data', () => undefined);
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
        res.end(bytes);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    return { port: listeningPort(server), pid: process.pid };
  },
};
/** @typedef {typeof methods} BareHttp */

serve(methods);
