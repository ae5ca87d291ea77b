import { createServer, IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { waitFor } from '../../../test/utils/wait-for';
import { dropConnectionState } from './ws-connection-state';

// Guards the assumptions of ws-connection-state.ts about graphql-ws: where it keeps the init payload
// and the upgrade request, and that nothing else in it keeps them once they are dropped.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PAYLOAD = { authorization: 'Bearer token' };

interface Seen {
  connectionParams: unknown;
  request: boolean;
  dropped: { connectionParams: unknown; request: unknown };
  refs: WeakRef<WeakKey>[];
}

describe("graphql-ws's connection state, dropped after connection_init", () => {
  let server: Server;
  let dispose: () => void | Promise<void>;
  let seen: Seen | undefined;
  let socket: WebSocket;

  beforeAll(async () => {
    server = createServer();
    const wsServer = new WebSocketServer({ server });
    const schema = buildSchema('type Query { ok: Boolean }');
    ({ dispose } = useServer<Record<string, unknown>>(
      {
        schema,
        onConnect(ctx) {
          const { connectionParams, extra } = ctx;
          // Only weak references and copies here: the test must not keep them alive itself.
          const refs = [connectionParams, extra.request].filter((x) => x !== undefined) as WeakKey[];
          const before = {
            connectionParams: JSON.parse(JSON.stringify(connectionParams ?? null)) as unknown,
            request: extra.request instanceof IncomingMessage,
          };
          dropConnectionState(ctx);
          const dropped = { connectionParams: ctx.connectionParams, request: ctx.extra.request };
          seen = { ...before, dropped, refs: refs.map((x) => new WeakRef(x)) };
          return true;
        },
      },
      wsServer,
    ));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    socket = new WebSocket(`ws://127.0.0.1:${port}`, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: PAYLOAD })));
      socket.on('message', (raw) => JSON.parse(String(raw)).type === 'connection_ack' && resolve());
      socket.on('error', reject);
    });
  });

  afterAll(async () => {
    socket.close();
    await dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  it('finds the init payload in ctx.connectionParams and the upgrade request in ctx.extra.request', () => {
    expect(seen).toMatchObject({
      connectionParams: PAYLOAD,
      request: true,
      dropped: { connectionParams: undefined, request: undefined },
    });
    expect(seen!.refs).toHaveLength(2);
  });

  it('leaves no other reference to them in graphql-ws while the socket stays open', async () => {
    await waitFor(
      () => {
        gc();
        return seen!.refs.every((ref) => ref.deref() === undefined);
      },
      { message: 'the init payload and the upgrade request to be collected' },
    );
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });
});
