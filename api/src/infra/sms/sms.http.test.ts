import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startSmsGateway, type TestSmsGateway } from '../../../test/utils/sms-gateway';
import { smsContract } from './sms.contract';
import { createHttpSms } from './sms.http';

smsContract('HTTP gateway', async () => {
  const gateway = await startSmsGateway();
  return {
    sender: createHttpSms({ url: gateway.url, apiKey: 'k-123', sender: 'randchat' }),
    received: async () => gateway.requests.map((r) => ({ to: r.body.to, text: r.body.text })),
    cleanup: () => gateway.close(),
  };
});

describe('the HTTP gateway adapter', () => {
  let gateway: TestSmsGateway;
  beforeEach(async () => {
    gateway = await startSmsGateway();
  });
  afterEach(async () => {
    await gateway.close();
  });

  it('posts JSON with the key as a bearer token and the sender as from', async () => {
    await createHttpSms({ url: gateway.url, apiKey: 'k-123', sender: '0212345678' }).send({
      to: '+821012345678',
      text: 'hi',
    });
    expect(gateway.requests).toEqual([
      {
        authorization: 'Bearer k-123',
        contentType: 'application/json',
        body: { to: '+821012345678', from: '0212345678', text: 'hi' },
      },
    ]);
  });

  it('rejects when the gateway answers an error', async () => {
    gateway.status = 503;
    await expect(createHttpSms({ url: gateway.url }).send({ to: '+821012345678', text: 'hi' })).rejects.toThrow(
      /SMS gateway answered 503/,
    );
    expect(gateway.requests[0]!.authorization).toBeUndefined();
  });

  it('rejects when nothing answers within the timeout', async () => {
    // Accepts the connection and never answers; closing the server leaves accepted sockets open.
    const accepted: Socket[] = [];
    const silent = await new Promise<Server>((resolve) => {
      const server = createServer((socket) => void accepted.push(socket));
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(
        createHttpSms({ url: `http://127.0.0.1:${port}/sms`, timeoutMs: 200 }).send({
          to: '+821012345678',
          text: 'hi',
        }),
      ).rejects.toThrow();
    } finally {
      for (const socket of accepted) socket.destroy();
      silent.close();
    }
  });
});
