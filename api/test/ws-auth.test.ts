import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { gql } from './utils/graphql';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser } from './utils/users';
import { MATCH_EVENTS } from './utils/match-player';
import { collect, type Collected } from './utils/subscription';
import { waitFor } from './utils/wait-for';
import { closeCodeOf, openAcked, wsClient } from './utils/ws-client';

async function waitForError(subscription: Collected<unknown>): Promise<unknown> {
  await waitFor(() => subscription.errors.length > 0, { message: 'the subscription to be refused' });
  return subscription.errors[0];
}

let api: TestServer;

beforeAll(async () => {
  api = await startTestServer({
    env: { WS_MAX_SOCKETS_PER_USER: '2', WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2', REFRESH_REUSE_LEEWAY: '1s' },
  });
});

afterAll(() => api.close());

describe('connection_init authentication', () => {
  it('closes with 4403 when the token is missing, garbage, unsigned, expired or a refresh token', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const { sub, sid } = jwt.decode(user.accessToken) as { sub: string; sid: string };
    const claims = { sub, sid, typ: 'access', iss: 'randchat', aud: 'randchat-api' };
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, api.backend.env.JWT_SECRET!);
    const unsigned = jwt.sign(claims, '', { algorithm: 'none' });
    for (const payload of [
      {},
      { authorization: 'Bearer garbage' },
      { authorization: `Bearer ${unsigned}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${user.refreshToken}` },
      { authorization: user.accessToken },
    ]) {
      expect(await closeCodeOf(api.wsUrl, payload)).toBe(4403);
    }
  });

  it('closes with 4408 a socket that sends no connection_init within WS_INIT_TIMEOUT, and no other', async () => {
    const quick = await startTestServer({ env: { WS_INIT_TIMEOUT: '1s' } });
    try {
      const user = await signUpUser(quick.graphqlUrl);
      const acked = await openAcked(quick.wsUrl, user.accessToken);
      const opened = Date.now();
      const silent = new WebSocket(quick.wsUrl, 'graphql-transport-ws');
      const code = await new Promise<number>((resolve, reject) => {
        silent.on('close', resolve);
        silent.on('error', reject);
      });
      expect(code).toBe(4408);
      expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
      // Opened earlier, initialised at once: past its own deadline and still open.
      expect(acked.socket.readyState).toBe(WebSocket.OPEN);
      acked.socket.close();
    } finally {
      await quick.close();
    }
  });

  it('rejects an unauthenticated subscription: the operation never runs', async () => {
    const client = wsClient(api.wsUrl);
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: '{ me { id } }' },
        { next: () => resolve('data'), error: resolve, complete: () => resolve('complete') },
      );
    });
    expect((outcome as { code?: number }).code).toBe(4403);
    await client.dispose();
  });

  it('refuses the legacy subscriptions-transport-ws subprotocol', async () => {
    const messages: string[] = [];
    const code = await new Promise<number>((resolve) => {
      const socket = new WebSocket(api.wsUrl, 'graphql-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      socket.on('message', (m) => messages.push(String(m)));
      socket.on('close', (c) => resolve(c));
      socket.on('error', () => undefined);
    });
    // The handshake is refused (the client sees 1006) or the socket is closed with 4406.
    expect([1006, 4406]).toContain(code);
    expect(messages).toEqual([]);
  });

  it('runs operations for an authenticated socket', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const client = wsClient(api.wsUrl, user.accessToken);
    const result = await new Promise<any>((resolve, reject) => {
      client.subscribe({ query: '{ me { id } }' }, { next: resolve, error: reject, complete: () => undefined });
    });
    expect(result.data.me.id).toBe(user.id);
    await client.dispose();
  });
});

describe('socket lifetime', () => {
  it('closes a socket with 4401 when its access token expires', async () => {
    const short = await startTestServer({ env: { ACCESS_TOKEN_TTL: '2s' } });
    try {
      const user = await signUpUser(short.graphqlUrl);
      const opened = Date.now();
      const { closed } = await openAcked(short.wsUrl, user.accessToken);
      expect(await closed).toBe(4401);
      expect(Date.now() - opened).toBeLessThan(4_000);
    } finally {
      await short.close();
    }
  });

  it('closes a socket with 4401 when its session is logged out', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const { closed } = await openAcked(api.wsUrl, user.accessToken);
    await gql(api.graphqlUrl, 'mutation($t: String) { logOut(refreshToken: $t) }', { t: user.refreshToken });
    expect(await closed).toBe(4401);
  });

  it('closes a socket with 4401 when its refresh token is replayed', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const { closed } = await openAcked(api.wsUrl, user.accessToken);
    const refresh = 'mutation($t: String) { refreshToken(refreshToken: $t) { refreshToken } }';
    await gql(api.graphqlUrl, refresh, { t: user.refreshToken });
    const leeway = new Promise((resolve) => setTimeout(resolve, 1_100)); // past the 1 s reuse leeway set above
    await leeway;
    await gql(api.graphqlUrl, refresh, { t: user.refreshToken });
    expect(await closed).toBe(4401);
  });

  it('admits exactly as many operations per socket as configured, then refuses with RATE_LIMITED', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const client = wsClient(api.wsUrl, user.accessToken);
    const subscriptions = [0, 1, 2].map(() => collect(client, MATCH_EVENTS));
    const refused = await waitForError(subscriptions[2]!);
    expect(refused).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
    expect(subscriptions[0]!.errors).toEqual([]);
    expect(subscriptions[1]!.errors).toEqual([]);
    subscriptions.forEach((s) => s.close());
    await client.dispose();
  });

  it('refuses more sockets per user than configured with 4429', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const first = await openAcked(api.wsUrl, user.accessToken);
    const second = await openAcked(api.wsUrl, user.accessToken);
    expect(await closeCodeOf(api.wsUrl, { authorization: `Bearer ${user.accessToken}` })).toBe(4429);
    first.socket.close();
    second.socket.close();
  });
});
