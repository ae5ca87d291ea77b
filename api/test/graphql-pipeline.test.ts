// One pipeline for both transports: what api/src/infra/graphql/pipeline.ts holds (limits, error
// formatting, metrics) reaches GraphQL over HTTP and over the WebSocket alike, and the WebSocket
// runs queries and mutations as well as subscriptions.
import type WebSocket from 'ws';
import { gql } from './utils/graphql';
import { runOnSocket } from './utils/socket-operation';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser, type TestUser } from './utils/users';
import { openAcked } from './utils/ws-client';

let api: TestServer;
let user: TestUser;
let socket: WebSocket;

beforeAll(async () => {
  api = await startTestServer({ env: { GRAPHQL_MAX_DEPTH: '4' } });
  user = await signUpUser(api.graphqlUrl, { nickname: 'Pipeline' });
  ({ socket } = await openAcked(api.wsUrl, user.accessToken));
});

afterAll(async () => {
  socket.close();
  await api.close();
});

/** One sample of a Prometheus series at GET /metrics, by exact labels (0 when absent). */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf('}')).includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const TOO_DEEP = '{ rooms(first: 1) { edges { node { peer { photo { url } } } } } }';

interface SentError {
  message: string;
  extensions: Record<string, unknown>;
}

/** The errors one operation gets over the WebSocket (an `error` message, or `next` with errors). */
async function wsErrors(query: string, variables?: Record<string, unknown>): Promise<SentError[]> {
  const outcome = await runOnSocket(socket, query, variables);
  return outcome.messages.flatMap((m) =>
    m.type === 'error'
      ? (m.payload as SentError[])
      : m.type === 'next'
        ? ((m.payload.errors ?? []) as SentError[])
        : [],
  );
}

describe('one GraphQL pipeline for HTTP and WebSocket', () => {
  it('applies the same query limit on both, with the same code, limit and a request id', async () => {
    const http = await gql(api.graphqlUrl, TOO_DEEP, {}, { token: user.accessToken });
    const ws = await wsErrors(TOO_DEEP);
    for (const error of [http.errors![0]!, ws[0]!]) {
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'DEPTH' });
      expect(error.extensions!.requestId).toEqual(expect.any(String));
    }
    expect(ws[0]!.message).toBe(http.errors![0]!.message);
  });

  it('formats resolver errors the same way on both: code kept, request id added, no internals', async () => {
    const query = 'query($id: ID!) { room(id: $id) { id } }';
    const variables = { id: '00000000-0000-4000-8000-000000000000' };
    const http = await gql(api.graphqlUrl, query, variables, { token: user.accessToken });
    const ws = await wsErrors(query, variables);
    expect(http.errors).toHaveLength(1);
    expect(ws).toHaveLength(1);
    const strip = (e: SentError) => ({ ...e, extensions: { ...e.extensions, requestId: 'x' } });
    expect(strip(ws[0]!)).toEqual(strip(http.errors![0] as SentError));
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(ws[0]!.extensions.code);
  });

  it('counts operations and errors in the same metrics, labelled by transport', async () => {
    const before = {
      http: await sample('graphql_operation_duration_seconds_count', { transport: 'http', type: 'query', field: 'me' }),
      ws: await sample('graphql_operation_duration_seconds_count', { transport: 'ws', type: 'query', field: 'me' }),
      limited: await sample('graphql_errors_total', { code: 'BAD_USER_INPUT' }),
    };
    const http = await gql(api.graphqlUrl, '{ me { id } }', {}, { token: user.accessToken });
    const ws = await runOnSocket(socket, '{ me { id } }');
    expect(http.data!.me.id).toBe(user.id);
    expect(ws.messages[0]!.payload.data.me.id).toBe(user.id);
    await gql(api.graphqlUrl, TOO_DEEP, {}, { token: user.accessToken });
    await wsErrors(TOO_DEEP);
    expect(
      await sample('graphql_operation_duration_seconds_count', { transport: 'http', type: 'query', field: 'me' }),
    ).toBe(before.http + 1);
    expect(
      await sample('graphql_operation_duration_seconds_count', { transport: 'ws', type: 'query', field: 'me' }),
    ).toBe(before.ws + 1);
    expect(await sample('graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(before.limited + 2);
  });

  it('runs mutations over the authenticated WebSocket', async () => {
    const outcome = await runOnSocket(
      socket,
      'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id nickname } }',
      { input: { nickname: 'Over WS' } },
    );
    expect(outcome.codes).toEqual([]);
    expect(outcome.messages[0]!.payload.data.updateProfile).toEqual({ id: user.id, nickname: 'Over WS' });
    const http = await gql(api.graphqlUrl, '{ me { nickname } }', {}, { token: user.accessToken });
    expect(http.data!.me.nickname).toBe('Over WS');
  });

  it('refuses a subscription over HTTP with 400 and BAD_USER_INPUT', async () => {
    const res = await fetch(api.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
      body: JSON.stringify({ query: 'subscription { matchEvents { type } }' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: SentError[] };
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: res.headers.get('x-request-id'),
    });
  });
});
