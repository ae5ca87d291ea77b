import { randomBytes } from 'node:crypto';
import { createTestBackend, type TestBackend } from '../../../test/utils/backend';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql, type GraphqlResponse } from '../../../test/utils/graphql';
import { codeIn, createTestMailbox, type TestMailbox } from '../../../test/utils/mailbox';
import { readCounter } from '../../../test/utils/metrics';
import { ok } from '../../../test/utils/ok';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { waitFor } from '../../../test/utils/wait-for';
import { openAcked } from '../../../test/utils/ws-client';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken user { id } } }`;
const LOG_IN = `mutation($email: String!, $password: String!) { logIn(input: { email: $email, password: $password }) { accessToken refreshToken } }`;
const REFRESH = `mutation($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;

let backend: TestBackend;
let mailbox: TestMailbox;
let api: TestServer;

const newEmail = () => `a${randomBytes(5).toString('hex')}@example.test`;
const call = (query: string, variables?: Record<string, unknown>, token?: string) =>
  gql(api.graphqlUrl, query, variables, { token });
/** A response without what differs per request (the request id), to compare two answers. */
const shape = (res: GraphqlResponse) => ({
  status: res.status,
  data: res.data,
  errors: res.errors?.map((e) => ({ ...e, extensions: { ...e.extensions, requestId: undefined } })),
});

beforeAll(async () => {
  backend = await createTestBackend();
  mailbox = await createTestMailbox(backend);
  api = await startTestServer({
    backend,
    env: {
      ...mailbox.env,
      REQUIRE_EMAIL_VERIFICATION: 'true',
      ACCOUNT_LOCK_THRESHOLD: '3',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '100',
      EMAIL_CODE_RESEND_INTERVAL: '1s',
      MAIL_RETRY_BASE: '100ms',
      MAIL_POLL_INTERVAL: '100ms',
    },
  });
});

afterAll(async () => {
  await api.close();
  await mailbox.close();
  await backend.cleanup();
});

async function signUpWithCode(email = newEmail(), password = 'correct horse battery') {
  ok(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: email }));
  const code = codeIn(await mailbox.next(email));
  const res = ok(await call(SIGN_UP, { input: { email, password, nickname: 'Mina', emailCode: code } })).signUp;
  return { email, password, ...res, id: res.user.id };
}

describe('email verification at sign-up', () => {
  it('signs up with the code read from the mail, once', async () => {
    const email = newEmail();
    ok(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: email }));
    const mail = await mailbox.next(email);
    expect(mail.subject).toMatch(/verification code/);
    const code = codeIn(mail);
    const input = { email, password: 'correct horse battery', nickname: 'Mina', emailCode: code };
    expect(ok(await call(SIGN_UP, { input })).signUp.user.id).toBeTruthy();
    expect(codes(await call(SIGN_UP, { input: { ...input, email: newEmail() } }))).toEqual(['BAD_USER_INPUT']);
  });

  it('requires the code, and refuses a code sent to another address', async () => {
    const email = newEmail();
    expect(
      codes(await call(SIGN_UP, { input: { email, password: 'correct horse battery', nickname: 'Mina' } })),
    ).toEqual(['BAD_USER_INPUT']);
    const other = newEmail();
    ok(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: other }));
    const code = codeIn(await mailbox.next(other));
    expect(
      codes(
        await call(SIGN_UP, { input: { email, password: 'correct horse battery', nickname: 'Mina', emailCode: code } }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('locks a code after 5 wrong guesses: even the right code is refused then', async () => {
    const email = newEmail();
    ok(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: email }));
    const code = codeIn(await mailbox.next(email));
    const wrong = code === '000000' ? '000001' : '000000';
    const input = { email, password: 'correct horse battery', nickname: 'Mina' };
    const guesses = await Promise.all(
      Array.from({ length: 8 }, () => call(SIGN_UP, { input: { ...input, emailCode: wrong } })),
    );
    expect(guesses.map(codes)).toEqual(Array.from({ length: 8 }, () => ['BAD_USER_INPUT']));
    expect(codes(await call(SIGN_UP, { input: { ...input, emailCode: code } }))).toEqual(['BAD_USER_INPUT']);
    expect(await queryDb(backend, 'SELECT id FROM users WHERE email = ?', [email])).toEqual([]);
  });

  it('answers a registered and an unknown address identically; the registered one gets no code', async () => {
    const registered = await signUpWithCode();
    const unknown = newEmail();
    const before = (await mailbox.all()).filter((m) => m.to === registered.email).length;
    // The registered address just got its own code: ask again once its resend interval (1 s here) is over.
    let a: GraphqlResponse | undefined;
    await waitFor(
      async () => {
        a = await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: registered.email });
        return codes(a).length === 0;
      },
      { timeoutMs: 5000, intervalMs: 250, message: 'the resend interval to pass' },
    );
    const b = await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: unknown });
    expect(shape(a!)).toEqual(shape(b));
    const note = await mailbox.next(registered.email, () => true, { skip: before });
    expect(note.subject).toMatch(/already have an account/);
    expect(note.text).not.toMatch(/\b\d{6}\b/);
    expect(codeIn(await mailbox.next(unknown))).toMatch(/^\d{6}$/);
  });

  it('throttles resends to one per interval for any address, registered or not', async () => {
    const email = newEmail();
    ok(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: email }));
    const again = await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: email });
    expect(codes(again)).toEqual(['RATE_LIMITED']);
    expect(codes(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: 'not-an-email' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('password reset', () => {
  const REQUEST = 'mutation($e: String!) { requestPasswordReset(email: $e) }';
  const RESET = 'mutation($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) }';
  const tokenIn = (text: string) => /Reset token: (\S+)/.exec(text)![1]!;

  it('mails a single-use link whose token sets a new password and ends every session', async () => {
    const user = await signUpWithCode();
    const socket = await openAcked(api.wsUrl, user.accessToken);
    ok(await call(REQUEST, { e: user.email }));
    const mail = await mailbox.next(user.email, (m) => /password reset/.test(m.subject));
    expect(mail.text).toContain(`/reset-password?token=${tokenIn(mail.text)}`);
    expect(mail.text).not.toContain(user.password);

    expect(ok(await call(RESET, { t: tokenIn(mail.text), p: 'a brand new secret' })).resetPassword).toBe(true);
    expect(await socket.closed).toBe(4401);
    expect(codes(await call(REFRESH, { t: user.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await call('{ me { id } }', undefined, user.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await call(LOG_IN, { email: user.email, password: user.password }))).toEqual(['UNAUTHENTICATED']);
    ok(await call(LOG_IN, { email: user.email, password: 'a brand new secret' }));
    expect(codes(await call(RESET, { t: tokenIn(mail.text), p: 'yet another secret' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an expired token and a made-up one', async () => {
    const user = await signUpWithCode();
    ok(await call(REQUEST, { e: user.email }));
    const token = tokenIn((await mailbox.next(user.email, (m) => /password reset/.test(m.subject))).text);
    await queryDb(backend, 'UPDATE password_resets SET expires_at = created_at WHERE user_id = ?', [user.id]);
    expect(codes(await call(RESET, { t: token, p: 'a brand new secret' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(RESET, { t: 'made-up', p: 'a brand new secret' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(RESET, { t: token, p: 'short' }))).toEqual(['BAD_USER_INPUT']);
    ok(await call(LOG_IN, { email: user.email, password: user.password }));
  });

  it('answers an unknown address exactly like a registered one, and mails nothing', async () => {
    const user = await signUpWithCode();
    const unknown = newEmail();
    const [a, b] = [await call(REQUEST, { e: user.email }), await call(REQUEST, { e: unknown })];
    expect(shape(a)).toEqual(shape(b));
    await mailbox.next(user.email, (m) => /password reset/.test(m.subject));
    expect((await mailbox.all()).filter((m) => m.to === unknown)).toEqual([]);
  });
});

describe('changing the password', () => {
  const CHANGE = `mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) { accessToken refreshToken } }`;

  it('needs the current password, then ends the other sessions and continues this one with new tokens', async () => {
    const user = await signUpWithCode();
    const other = ok(await call(LOG_IN, { email: user.email, password: user.password })).logIn;
    expect(codes(await call(CHANGE, { c: 'not my password', n: 'a brand new secret' }, user.accessToken))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await call(CHANGE, { c: user.password, n: 'short' }, user.accessToken))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(CHANGE, { c: user.password, n: 'a brand new secret' }))).toEqual(['UNAUTHENTICATED']);

    const fresh = ok(
      await call(CHANGE, { c: user.password, n: 'a brand new secret' }, user.accessToken),
    ).changePassword;
    expect(codes(await call(REFRESH, { t: other.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await call('{ me { id } }', undefined, other.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await call('{ me { id } }', undefined, fresh.accessToken)).me.id).toBe(user.id);
    ok(await call(REFRESH, { t: fresh.refreshToken }));
    ok(await call(LOG_IN, { email: user.email, password: 'a brand new secret' }));
    await mailbox.next(user.email, (m) => /password was changed/.test(m.subject));
  });
});

describe('account lock after failed logins', () => {
  const UNLOCK = 'mutation($e: String!, $c: String!) { unlockAccount(input: { email: $e, code: $c }) }';
  const failedLogins = async (id: string) =>
    Number((await queryDb<{ n: number }>(backend, 'SELECT failed_logins AS n FROM users WHERE id = ?', [id]))[0]!.n);

  it('locks at the threshold, refuses even the right password, and unlocks with the mailed code', async () => {
    const user = await signUpWithCode();
    for (let i = 0; i < 3; i++)
      expect(codes(await call(LOG_IN, { email: user.email, password: 'wrong password' }))).toEqual(['UNAUTHENTICATED']);
    const locked = await call(LOG_IN, { email: user.email, password: user.password });
    expect(locked.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_LOCKED' });

    const code = codeIn(await mailbox.next(user.email, (m) => /unlock code/.test(m.subject)));
    const wrong = code === '000000' ? '000001' : '000000';
    expect(codes(await call(UNLOCK, { e: user.email, c: wrong }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(UNLOCK, { e: newEmail(), c: code }))).toEqual(['BAD_USER_INPUT']);
    expect(ok(await call(UNLOCK, { e: user.email, c: code })).unlockAccount).toBe(true);
    expect(await failedLogins(user.id)).toBe(0);
    ok(await call(LOG_IN, { email: user.email, password: user.password }));
  });

  it('resets the failure count on a successful login, so failures must be consecutive to lock', async () => {
    const user = await signUpWithCode();
    for (let i = 0; i < 2; i++) await call(LOG_IN, { email: user.email, password: 'wrong password' });
    expect(await failedLogins(user.id)).toBe(2);
    ok(await call(LOG_IN, { email: user.email, password: user.password }));
    expect(await failedLogins(user.id)).toBe(0);
    for (let i = 0; i < 2; i++) await call(LOG_IN, { email: user.email, password: 'wrong password' });
    ok(await call(LOG_IN, { email: user.email, password: user.password }));
  });

  it('unlocks through a password reset too', async () => {
    const user = await signUpWithCode();
    for (let i = 0; i < 3; i++) await call(LOG_IN, { email: user.email, password: 'wrong password' });
    ok(await call('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: user.email }));
    const mail = await mailbox.next(user.email, (m) => /password reset/.test(m.subject));
    ok(
      await call('mutation($t: String!, $p: String!) { resetPassword(input: { token: $t, newPassword: $p }) }', {
        t: /Reset token: (\S+)/.exec(mail.text)![1],
        p: 'a brand new secret',
      }),
    );
    ok(await call(LOG_IN, { email: user.email, password: 'a brand new secret' }));
  });
});

describe('mail delivery', () => {
  it('commits first and retries a mail the SMTP server refused, counting the failure', async () => {
    if (!mailbox.smtp) return expect(backend.kind).toBe('embedded'); // the outbox cannot refuse
    const failuresBefore = await readCounter(api.url, 'mail_failures_total');
    mailbox.smtp.failNext(2);
    const email = newEmail();
    ok(await call('mutation($e: String!) { requestEmailCode(email: $e) }', { e: email }));
    const code = codeIn(await mailbox.next(email));
    expect(await readCounter(api.url, 'mail_failures_total')).toBe(failuresBefore + 2);
    ok(await call(SIGN_UP, { input: { email, password: 'correct horse battery', nickname: 'Mina', emailCode: code } }));
    expect(await queryDb(backend, 'SELECT id FROM outgoing_mails WHERE recipient = ?', [email])).toEqual([]);
  });

  it("lists the embedded default's mails at GET /dev/outbox", async () => {
    const res = await fetch(`${api.url}/dev/outbox`, { headers: { accept: 'application/json' } });
    const { mails } = (await res.json()) as { mails: { to: string; subject: string }[] };
    // With SMTP the mails went there: the outbox (kept for the dev SMS codes) holds none of them.
    if (mailbox.smtp) return expect(mails).toEqual([]);
    expect(mails.length).toBeGreaterThan(0);
    expect(await (await fetch(`${api.url}/dev/outbox`)).text()).toContain('Dev outbox');
  });
});
