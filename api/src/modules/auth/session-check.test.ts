import jwt from 'jsonwebtoken';
import { backendKind, createTestBackend, type TestBackend } from '../../../test/utils/backend';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { ok } from '../../../test/utils/ok';
import { spawnInstance, type SpawnedInstance } from '../../../test/utils/spawn-instance';
import { startTestServer } from '../../../test/utils/test-server';
import { signUpUser, type TestUser } from '../../../test/utils/users';
import { waitFor } from '../../../test/utils/wait-for';
import { openAcked } from '../../../test/utils/ws-client';

const ME = '{ me { id } }';
const LOG_OUT = 'mutation($t: String) { logOut(refreshToken: $t) }';
const CHANGE = `mutation($c: String!, $n: String!) {
  changePassword(input: { currentPassword: $c, newPassword: $n }) { accessToken }
}`;
/** Long enough that only a revocation (never the cache's expiry) can explain a refusal within a test. */
const LONG_TTL = { SESSION_CACHE_TTL: '1m' };

const me = (graphqlUrl: string, token: string) => gql(graphqlUrl, ME, undefined, { token });
const sessionOf = (accessToken: string) => (jwt.decode(accessToken) as { sid: string }).sid;

describe('the session check on one instance', () => {
  it('refuses a just-accepted access token as soon as logOut answers on the same instance', async () => {
    const api = await startTestServer({ env: LONG_TTL });
    try {
      const user = await signUpUser(api.graphqlUrl);
      expect(ok(await me(api.graphqlUrl, user.accessToken)).me.id).toBe(user.id);
      expect(ok(await gql(api.graphqlUrl, LOG_OUT, { t: user.refreshToken })).logOut).toBe(true);
      expect(codes(await me(api.graphqlUrl, user.accessToken))).toEqual(['UNAUTHENTICATED']);
    } finally {
      await api.close();
    }
  });
});

const realOnly = backendKind() === 'real' ? describe : describe.skip;

realOnly('the session check across two API processes sharing the database and Redis', () => {
  let backend: TestBackend;
  let one: SpawnedInstance;
  let two: SpawnedInstance;

  beforeAll(async () => {
    backend = await createTestBackend();
    const env = { ...backend.env, ...LONG_TTL, LOG_LEVEL: 'warn' };
    [one, two] = await Promise.all([spawnInstance(env), spawnInstance(env)]);
  });

  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await backend.cleanup();
  });

  /** A user whose access token instance 2 has just accepted, with a socket there that closes on revocation. */
  async function acceptedOnTwo(): Promise<{ user: TestUser; revokedOnTwo: Promise<number> }> {
    const user = await signUpUser(one.graphqlUrl);
    expect(ok(await me(two.graphqlUrl, user.accessToken)).me.id).toBe(user.id);
    const { closed } = await openAcked(two.wsUrl, user.accessToken);
    return { user, revokedOnTwo: closed };
  }

  it('refuses on instance 2 an access token logged out on instance 1, once the revocation arrives', async () => {
    const { user, revokedOnTwo } = await acceptedOnTwo();
    ok(await gql(one.graphqlUrl, LOG_OUT, { t: user.refreshToken }));
    expect(await revokedOnTwo).toBe(4401);
    expect(codes(await me(two.graphqlUrl, user.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await me(one.graphqlUrl, user.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses on instance 2 the old access token after a password change on instance 1, and accepts the new one', async () => {
    const { user, revokedOnTwo } = await acceptedOnTwo();
    const fresh = ok(
      await gql(one.graphqlUrl, CHANGE, { c: user.password, n: 'a brand new secret' }, { token: user.accessToken }),
    ).changePassword;
    expect(await revokedOnTwo).toBe(4401);
    expect(codes(await me(two.graphqlUrl, user.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await me(two.graphqlUrl, fresh.accessToken)).me.id).toBe(user.id);
  });

  it('refuses a session ended without its revocation event once SESSION_CACHE_TTL has passed, and closes its socket', async () => {
    const env = { ...backend.env, SESSION_CACHE_TTL: '1s', WS_SESSION_RECHECK: '1s', LOG_LEVEL: 'warn' };
    const short = await spawnInstance(env);
    try {
      const user = await signUpUser(one.graphqlUrl);
      expect(ok(await me(short.graphqlUrl, user.accessToken)).me.id).toBe(user.id);
      expect(ok(await me(two.graphqlUrl, user.accessToken)).me.id).toBe(user.id);
      const socket = await openAcked(short.wsUrl, user.accessToken);
      // Ended in the database with no event published: what a revocation lost in a Redis outage looks like.
      await queryDb(backend, 'DELETE FROM login_sessions WHERE id = ?', [sessionOf(user.accessToken)]);
      const endedAt = Date.now();
      // Instance 2 still trusts its fresh answer (its TTL is 1 minute); instance 1 asks the database.
      expect(ok(await me(two.graphqlUrl, user.accessToken)).me.id).toBe(user.id);
      expect(codes(await me(one.graphqlUrl, user.accessToken))).toEqual(['UNAUTHENTICATED']);
      await waitFor(async () => codes(await me(short.graphqlUrl, user.accessToken))[0] === 'UNAUTHENTICATED', {
        timeoutMs: 5000,
        intervalMs: 50,
        message: 'the 1s instance to refuse the ended session',
      });
      expect(Date.now() - endedAt).toBeLessThan(1000 + 2000);
      // Its socket there closes too, at the next re-check of the open sockets' sessions.
      expect(await socket.closed).toBe(4401);
      expect(Date.now() - endedAt).toBeLessThan(1000 + 1000 + 2000);
    } finally {
      await short.stop();
    }
  });
});
