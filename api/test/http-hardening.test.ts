import { getIntrospectionQuery } from 'graphql';
import { queryDb } from './utils/db-query';
import { codes, gql } from './utils/graphql';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser } from './utils/users';

let api: TestServer;

beforeAll(async () => {
  api = await startTestServer({
    env: { GRAPHQL_MAX_DEPTH: '10', GRAPHQL_MAX_ALIASES: '15', GRAPHQL_MAX_TOKENS: '5000' },
  });
});

afterAll(() => api.close());

async function raw(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(api.graphqlUrl, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: JSON.parse(text) as { errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

/** Nothing a client receives may look like a stack trace, a file path or SQL. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(/stacktrace|\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|SELECT|INSERT|\bER_|SQLITE|ECONN/i);
}

describe('malformed and abusive requests get coded rejections, never a 500 or a stack trace', () => {
  it('rejects malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await raw('{"query": "{ me { id }"');
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expectNoInternals(res.text);
  });

  it('rejects an unknown field without suggesting real field names', async () => {
    for (const query of [
      '{ mee { id } }',
      '{ me { idd } }',
      'mutation { logn(input: {email: "a", password: "b"}) { accessToken } }',
    ]) {
      const res = await raw(JSON.stringify({ query }));
      expect(res.status).toBe(400);
      expect(res.json.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.text).not.toMatch(/Did you mean/);
      expectNoInternals(res.text);
    }
  });

  it('rejects a 200-deep query at validation, before any resolver runs', async () => {
    const query = `{ ${'me { '.repeat(200)}id${' }'.repeat(200)} }`;
    const res = await raw(JSON.stringify({ query }));
    expect(res.status).toBe(400);
    const depth = res.json.errors!.find((e) => e.extensions!.limit === 'DEPTH');
    expect(depth!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.json).not.toHaveProperty('data');
  });

  it('counts depth in fields, not fragment spreads: fragments neither cost depth nor hide it', async () => {
    const depthError = (res: Awaited<ReturnType<typeof raw>>) =>
      res.json.errors?.find((e) => e.extensions!.limit === 'DEPTH');
    // A field depth of 7 reached through three fragments (a client's usual shape): accepted.
    const shaped = `{ rooms { edges { node { ...A } } } } fragment A on Room { lastMessage { ...M } }
      fragment M on Message { sender { ...P } } fragment P on User { photo { url } }`;
    expect(depthError(await raw(JSON.stringify({ query: shaped })))).toBeUndefined();
    // A chain of 9 fragment spreads around one field: accepted.
    const chain = Array.from(
      { length: 9 },
      (_, i) => `fragment F${i} on User { ${i < 8 ? `...F${i + 1}` : 'id'} }`,
    ).join(' ');
    expect(depthError(await raw(JSON.stringify({ query: `{ me { ...F0 } } ${chain}` })))).toBeUndefined();
    // 20 levels of fields moved into a fragment: refused all the same.
    const hidden = `{ ...Q } fragment Q on Query { ${'me { '.repeat(20)}id${' }'.repeat(20)} }`;
    expect(depthError(await raw(JSON.stringify({ query: hidden })))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('bounds introspection depth too: the standard introspection query passes, a 20-deep ofType chain does not', async () => {
    const standard = await raw(
      JSON.stringify({
        query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true }),
      }),
    );
    expect(standard.status).toBe(200);
    expect(standard.json.errors).toBeUndefined();
    const chain = `{ __schema { types { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } }`;
    const res = await raw(JSON.stringify({ query: chain }));
    expect(res.status).toBe(400);
    expect(res.json.errors!.find((e) => e.extensions!.limit === 'DEPTH')).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('accepts a query exactly at the alias limit and rejects 1,000 aliases', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const atLimit = await raw(JSON.stringify({ query: aliases(15) }));
    expect(atLimit.status).toBe(200);

    const res = await raw(JSON.stringify({ query: aliases(1000) }));
    expect(res.status).toBe(400);
    expect(
      res.json.errors!.some((e) => e.extensions!.code === 'BAD_USER_INPUT' && e.extensions!.limit === 'ALIASES'),
    ).toBe(true);
  });

  it('rejects a document with too many tokens while parsing', async () => {
    const query = `{ ${Array.from({ length: 6000 }, () => 'a').join(' ')} }`;
    const res = await raw(JSON.stringify({ query }));
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses a subscription sent over HTTP with BAD_USER_INPUT pointing at the WebSocket', async () => {
    const res = await raw(JSON.stringify({ query: 'subscription { matchEvents { type } }' }));
    expect(res.json.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.json.errors![0]!.message).toMatch(/WebSocket/);
    expectNoInternals(res.text);
  });

  it('rejects an array batch with 400 BAD_REQUEST', async () => {
    const op = { query: 'mutation { logIn(input: {email: "a@b.co", password: "password1"}) { accessToken } }' };
    const res = await raw(JSON.stringify([op, op, op]));
    expect(res.status).toBe(400);
    expect(res.json.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expect(res.json.errors![0]!.message).toMatch(/batching/i);
  });

  it('rejects a body above the size cap with 413', async () => {
    const res = await raw(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(200_000) } }));
    expect(res.status).toBe(413);
    expect(res.json.errors![0]!.extensions!.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('blocks a cross-site simple POST (CSRF) without running the mutation', async () => {
    const email = `csrf-${Date.now()}@example.test`;
    const query = `mutation { signUp(input: {email: "${email}", password: "password123", nickname: "Csrf"}) { accessToken } }`;
    const res = await fetch(api.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(400);
    expect(await queryDb(api.backend, 'SELECT id FROM users WHERE email = ?', [email])).toHaveLength(0);
  });

  it('never runs a mutation sent over GET', async () => {
    const query = encodeURIComponent('mutation { logOut }');
    const res = await fetch(`${api.graphqlUrl}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
  });
});

describe('operations endpoints', () => {
  it('answers /healthz and /readyz with the state of the database and Redis', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    const redis = api.backend.kind === 'real' ? { redis: true } : {};
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: true, ...redis, accepting: true } });
  });

  it('exposes Prometheus metrics including GraphQL errors by code', async () => {
    await gql(api.graphqlUrl, '{ me { id } }');
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(/graphql_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
    expect(text).toMatch(/http_request_duration_seconds_bucket/);
    expect(text).toMatch(/ws_open_sockets/);
  });

  it('echoes a request id and puts it on every error', async () => {
    const res = await fetch(api.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'test-request-1234' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('test-request-1234');
    expect(((await res.json()) as any).errors[0].extensions.requestId).toBe('test-request-1234');
  });
});

describe('unexpected failures', () => {
  it('masks a database failure as INTERNAL_SERVER_ERROR with a request id and no internals', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const isolated = await startTestServer();
    try {
      const other = await signUpUser(isolated.graphqlUrl);
      await queryDb(isolated.backend, 'ALTER TABLE users RENAME TO users_gone');
      const res = await gql(isolated.graphqlUrl, '{ me { id } }', undefined, { token: other.accessToken });
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(res.errors![0]!.message).toBe('Internal server error');
      expect(res.errors![0]!.extensions!.requestId).toEqual(res.headers.get('x-request-id'));
      expectNoInternals(JSON.stringify(res));
    } finally {
      await isolated.close();
    }
    // The shared instance is untouched.
    expect((await gql(api.graphqlUrl, '{ me { id } }', undefined, { token: user.accessToken })).errors).toBeUndefined();
  });
});

describe('introspection switch', () => {
  it('serves introspection by default and refuses it when switched off', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await gql(api.graphqlUrl, query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const closed = await startTestServer({ env: { GRAPHQL_INTROSPECTION: 'false' } });
    try {
      const res = await gql(closed.graphqlUrl, query);
      expect(res.data).toBeUndefined();
      expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await closed.close();
    }
  });
});
