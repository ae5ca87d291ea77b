import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the fake gateway received. */
export interface GatewayRequest {
  authorization: string | undefined;
  contentType: string | undefined;
  body: { to: string; from?: string; text: string };
}

export interface TestSmsGateway {
  url: string;
  requests: GatewayRequest[];
  /** The status the next POSTs are answered with (200 unless changed). */
  status: number;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** A generic HTTP SMS gateway on a free local port: records each POST and answers `status`. */
export async function startSmsGateway(): Promise<TestSmsGateway> {
  const gateway: TestSmsGateway = { url: '', requests: [], status: 200, close: async () => undefined };
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      gateway.requests.push({
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(text) as GatewayRequest['body'],
      });
      res.writeHead(gateway.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: gateway.status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  gateway.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gateway;
}
