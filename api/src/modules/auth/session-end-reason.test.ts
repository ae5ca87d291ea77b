import { createTestBackend, type TestBackend } from '../../../test/utils/backend';
import { gql, type GraphqlResponse } from '../../../test/utils/graphql';
import { createTestMailbox, type TestMailbox } from '../../../test/utils/mailbox';
import { ok } from '../../../test/utils/ok';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser } from '../../../test/utils/users';

const REFRESH = `mutation($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const LOG_IN = `mutation($e: String!, $p: String!) { logIn(input: { email: $e, password: $p }) { accessToken refreshToken } }`;

let backend: TestBackend;
let mailbox: TestMailbox;
let api: TestServer;

const call = (query: string, variables?: Record<string, unknown>, token?: string) =>
  gql(api.graphqlUrl, query, variables, { token });
/** What a refused refresh says: its code and why the session ended. */
const refusal = (res: GraphqlResponse) =>
  res.errors?.map((e) => ({ code: e.extensions?.code, reason: e.extensions?.reason }));
const refresh = async (token: string) => refusal(await call(REFRESH, { t: token }));

beforeAll(async () => {
  backend = await createTestBackend();
  mailbox = await createTestMailbox(backend);
  // No leeway: a replayed token is a replay at once.
  api = await startTestServer({
    backend,
    env: { ...mailbox.env, REFRESH_REUSE_LEEWAY: '0s', MAIL_POLL_INTERVAL: '100ms' },
  });
});

afterAll(async () => {
  await api.close();
  await mailbox.close();
  await backend.cleanup();
});

describe('a refused refresh says why its session ended', () => {
  it('LOGGED_OUT after logOut', async () => {
    const user = await signUpUser(api.graphqlUrl);
    ok(await call('mutation($t: String) { logOut(refreshToken: $t) }', { t: user.refreshToken }));
    expect(await refresh(user.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'LOGGED_OUT' }]);
  });

  it('PASSWORD_CHANGED on the other devices after a password change', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const laptop = ok(await call(LOG_IN, { e: user.email, p: user.password })).logIn;
    ok(
      await call(
        'mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) { accessToken } }',
        { c: user.password, n: 'a brand new secret' },
        user.accessToken,
      ),
    );
    expect(await refresh(laptop.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'PASSWORD_CHANGED' }]);
    expect(await refresh(user.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'PASSWORD_CHANGED' }]);
  });

  it('PASSWORD_RESET after a reset by the mailed link', async () => {
    const user = await signUpUser(api.graphqlUrl);
    ok(await call('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: user.email }));
    const mail = await mailbox.next(user.email, (m) => /password reset/.test(m.subject));
    const token = /Reset token: (\S+)/.exec(mail.text)![1]!;
    ok(
      await call('mutation($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) }', {
        t: token,
        p: 'a brand new secret',
      }),
    );
    expect(await refresh(user.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'PASSWORD_RESET' }]);
  });

  it('SESSION_REVOKED when a rotated token is replayed, for the replay and for the newest token', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const rotated = ok(await call(REFRESH, { t: user.refreshToken })).refreshToken;
    expect(await refresh(user.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' }]);
    expect(await refresh(rotated.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' }]);
  });

  it('ACCOUNT_DELETED after the account was deleted', async () => {
    const user = await signUpUser(api.graphqlUrl);
    ok(await call('mutation($p: String!) { deleteAccount(password: $p) }', { p: user.password }, user.accessToken));
    expect(await refresh(user.refreshToken)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'ACCOUNT_DELETED' }]);
  });

  it('no reason for a token that names no session', async () => {
    expect(await refresh('garbage')).toEqual([{ code: 'UNAUTHENTICATED', reason: undefined }]);
  });
});
