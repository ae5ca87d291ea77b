import jwt from 'jsonwebtoken';
import { codes, gql } from '../../../test/utils/graphql';
import { ok } from '../../../test/utils/ok';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { SIGN_UP, signUpUser } from '../../../test/utils/users';

const LOG_IN = `mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id email } }
}`;
const REFRESH = `mutation Refresh($token: String) { refreshToken(refreshToken: $token) { accessToken refreshToken user { id } } }`;
const LOG_OUT = `mutation LogOut($token: String) { logOut(refreshToken: $token) }`;
const ME = `{ me { id nickname email gender birthYear createdAt } }`;

let api: TestServer;
let url: string;

beforeAll(async () => {
  api = await startTestServer({ env: { REFRESH_REUSE_LEEWAY: '0s' } });
  url = api.graphqlUrl;
});

afterAll(() => api.close());

describe('account lifecycle over GraphQL', () => {
  it('signs up, logs in, reads me, refreshes and logs out', async () => {
    const email = `life-${Date.now()}@example.test`;
    const signUp = await gql(url, SIGN_UP, {
      input: {
        email: email.toUpperCase(),
        password: 'a long enough secret',
        nickname: 'Alice',
        gender: 'FEMALE',
        birthYear: 1990,
      },
    });
    expect(signUp.errors).toBeUndefined();
    expect(signUp.data!.signUp.user.email).toBe(email);

    const login = await gql(url, LOG_IN, { input: { email, password: 'a long enough secret' } });
    const { accessToken, refreshToken, accessTokenExpiresAt } = login.data!.logIn;
    const ttlMs = new Date(accessTokenExpiresAt).getTime() - Date.now();
    expect(ttlMs).toBeGreaterThan(14 * 60_000);
    expect(ttlMs).toBeLessThanOrEqual(15 * 60_000);

    const me = await gql(url, ME, undefined, { token: accessToken });
    expect(me.data!.me).toMatchObject({ nickname: 'Alice', email, gender: 'FEMALE', birthYear: 1990 });

    const refreshed = await gql(url, REFRESH, { token: refreshToken });
    expect(refreshed.data!.refreshToken.refreshToken).not.toBe(refreshToken);
    expect(refreshed.data!.refreshToken.user.id).toBe(me.data!.me.id);

    const out = await gql(url, LOG_OUT, { token: refreshed.data!.refreshToken.refreshToken });
    expect(out.data!.logOut).toBe(true);
    expect(codes(await gql(url, ME, undefined, { token: refreshed.data!.refreshToken.accessToken }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(codes(await gql(url, REFRESH, { token: refreshed.data!.refreshToken.refreshToken }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect((await gql(url, LOG_OUT, { token: refreshed.data!.refreshToken.refreshToken })).data!.logOut).toBe(false);
  });

  it('hides the email of other users and requires a token for me', async () => {
    expect(codes(await gql(url, ME))).toEqual(['UNAUTHENTICATED']);
    const res = await gql(url, ME, undefined, { headers: { authorization: 'Basic abc' } });
    expect(res.errors![0]!.message).toMatch(/Bearer/);
  });
});

describe('input validation', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a malformed email', { email: 'not-an-email' }, /email must be a valid email/],
    ['a 7-character password', { password: 'short12' }, /password must be 8 to 128/],
    ['a 129-character password', { password: 'x'.repeat(129) }, /password must be 8 to 128/],
    ['a 1-character nickname', { nickname: 'A' }, /nickname must be 2 to 20/],
    ['a 21-character nickname', { nickname: 'N'.repeat(21) }, /nickname must be 2 to 20/],
    ['a blank nickname', { nickname: '   ' }, /nickname must be 2 to 20/],
    ['a nickname of zero-width spaces', { nickname: '\u200b\u200b\u200b' }, /control or invisible/],
    ['a nickname of Hangul fillers', { nickname: '\u3164\u3164' }, /visible characters/],
    ['a nickname with a bell', { nickname: 'Bell\u0007' }, /control or invisible/],
    ['a nickname with a right-to-left override', { nickname: 'evil\u202Etxt.exe' }, /control or invisible/],
    ['a 17-year-old', { birthYear: new Date().getUTCFullYear() - 17 }, /members must be adults/],
    [
      'someone turning 18 this year (adult from the year they turn 19)',
      { birthYear: new Date().getUTCFullYear() - 18 },
      new RegExp(`birthYear must be ${new Date().getUTCFullYear() - 19} or earlier`),
    ],
    ['a birth year before 1900', { birthYear: 1850 }, /1900 or later/],
  ];

  it.each(cases)('rejects %s with BAD_USER_INPUT', async (_name, override, message) => {
    const input = {
      email: `v${Math.random().toString(36).slice(2)}@example.test`,
      password: 'long enough pw',
      nickname: 'Val',
      ...override,
    };
    const res = await gql(url, SIGN_UP, { input });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(message);
    expect(res.data).toBeFalsy();
  });

  it('rejects an unknown gender value with BAD_USER_INPUT', async () => {
    const res = await gql(url, SIGN_UP, {
      input: { email: 'g@example.test', password: 'long enough pw', nickname: 'Gee', gender: 'ROBOT' },
    });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('rejects a second account with the same email (any case) with CONFLICT and keeps the first', async () => {
    const user = await signUpUser(url);
    const res = await gql(url, SIGN_UP, {
      input: { email: user.email.toUpperCase(), password: 'another password', nickname: 'Dup' },
    });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect((await gql(url, LOG_IN, { input: { email: user.email, password: user.password } })).errors).toBeUndefined();
  });
});

describe('login', () => {
  it('answers unknown emails and wrong passwords with the same error', async () => {
    const user = await signUpUser(url);
    const wrong = await gql(url, LOG_IN, { input: { email: user.email, password: 'wrong password' } });
    const unknown = await gql(url, LOG_IN, { input: { email: `nobody-${user.email}`, password: 'wrong password' } });
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
    expect(unknown.errors![0]!.extensions!.code).toBe(wrong.errors![0]!.extensions!.code);
  });
});

describe('refresh token rotation', () => {
  it('rotates on every use and accepts only the newest token', async () => {
    const user = await signUpUser(url);
    const r1 = await gql(url, REFRESH, { token: user.refreshToken });
    const r2 = await gql(url, REFRESH, { token: r1.data!.refreshToken.refreshToken });
    expect(r2.errors).toBeUndefined();
    expect(
      new Set([user.refreshToken, r1.data!.refreshToken.refreshToken, r2.data!.refreshToken.refreshToken]).size,
    ).toBe(3);
  });

  it('revokes the whole session when an already-rotated token is replayed', async () => {
    const user = await signUpUser(url);
    const rotated = (await gql(url, REFRESH, { token: user.refreshToken })).data!.refreshToken;

    const replay = await gql(url, REFRESH, { token: user.refreshToken });
    expect(codes(replay)).toEqual(['UNAUTHENTICATED']);
    expect(replay.errors![0]!.message).toMatch(/revoked/);

    expect(codes(await gql(url, REFRESH, { token: rotated.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, ME, undefined, { token: rotated.accessToken }))).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects garbage and missing refresh tokens', async () => {
    expect(codes(await gql(url, REFRESH, { token: 'garbage' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, REFRESH, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('rotates again for a retry of the last rotated token within the leeway (its answer was lost)', async () => {
    const leeway = await startTestServer({ env: { REFRESH_REUSE_LEEWAY: '30s' } });
    type Pair = { refreshToken: { accessToken: string; refreshToken: string } };
    try {
      const user = await signUpUser(leeway.graphqlUrl);
      const lost = ok(await gql<Pair>(leeway.graphqlUrl, REFRESH, { token: user.refreshToken })).refreshToken;
      const retried = ok(await gql<Pair>(leeway.graphqlUrl, REFRESH, { token: user.refreshToken })).refreshToken;
      expect(ok(await gql(leeway.graphqlUrl, ME, undefined, { token: retried.accessToken })).me).toBeTruthy();
      // The pair nobody received is replaced; presenting it is no replay: the session stays alive.
      expect(codes(await gql(leeway.graphqlUrl, REFRESH, { token: lost.refreshToken }))).toEqual(['UNAUTHENTICATED']);
      const next = ok(await gql<Pair>(leeway.graphqlUrl, REFRESH, { token: retried.refreshToken })).refreshToken;
      expect(ok(await gql(leeway.graphqlUrl, ME, undefined, { token: next.accessToken })).me).toBeTruthy();
      // Two tabs at once: both get a pair; the session goes on with the later one.
      const both = await Promise.all([
        gql<Pair>(leeway.graphqlUrl, REFRESH, { token: next.refreshToken }),
        gql<Pair>(leeway.graphqlUrl, REFRESH, { token: next.refreshToken }),
      ]);
      expect(both.map((r) => r.errors)).toEqual([undefined, undefined]);
    } finally {
      await leeway.close();
    }
  });
});

describe('access tokens', () => {
  const secret = () => api.backend.env.JWT_SECRET!;
  const claims = (sub: string, sid: string) => ({ sub, sid, typ: 'access', iss: 'randchat', aud: 'randchat-api' });

  async function sessionOf(): Promise<{ sub: string; sid: string }> {
    const user = await signUpUser(url);
    const decoded = jwt.decode(user.accessToken) as { sub: string; sid: string };
    return { sub: decoded.sub, sid: decoded.sid };
  }

  it('accepts a token minted with the server secret and its own claims (control case)', async () => {
    const { sub, sid } = await sessionOf();
    const token = jwt.sign(claims(sub, sid), secret(), { algorithm: 'HS256', expiresIn: 60 });
    expect((await gql(url, ME, undefined, { token })).errors).toBeUndefined();
  });

  it.each([
    [
      'expired',
      (c: object) => jwt.sign({ ...c, exp: Math.floor(Date.now() / 1000) - 60 }, secret(), { algorithm: 'HS256' }),
    ],
    ['signed with another secret', (c: object) => jwt.sign(c, 'x'.repeat(48), { algorithm: 'HS256', expiresIn: 60 })],
    ['signed with HS512', (c: object) => jwt.sign(c, secret(), { algorithm: 'HS512', expiresIn: 60 })],
    ['alg none', (c: object) => jwt.sign(c, '', { algorithm: 'none', expiresIn: 60 })],
    [
      'for another audience',
      (c: object) => jwt.sign({ ...c, aud: 'admin-api' }, secret(), { algorithm: 'HS256', expiresIn: 60 }),
    ],
    [
      'from another issuer',
      (c: object) => jwt.sign({ ...c, iss: 'evil' }, secret(), { algorithm: 'HS256', expiresIn: 60 }),
    ],
    ['living ten years', (c: object) => jwt.sign(c, secret(), { algorithm: 'HS256', expiresIn: '3650d' })],
    [
      'without the access typ',
      (c: object) => jwt.sign({ ...c, typ: 'refresh' }, secret(), { algorithm: 'HS256', expiresIn: 60 }),
    ],
  ])('rejects a token %s with UNAUTHENTICATED', async (_name, mint) => {
    const { sub, sid } = await sessionOf();
    const res = await gql(url, ME, undefined, { token: mint(claims(sub, sid)) });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('never accepts a refresh token as an access token', async () => {
    const user = await signUpUser(url);
    expect(codes(await gql(url, ME, undefined, { token: user.refreshToken }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('web session cookie', () => {
  async function post(query: string, variables: Record<string, unknown>, cookie?: string) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { res, body: (await res.json()) as { data?: any; errors?: any[] } };
  }

  it('sets an HttpOnly SameSite=Strict refresh cookie that refreshToken and logOut use without arguments', async () => {
    const user = await signUpUser(url);
    const login = await post(LOG_IN, { input: { email: user.email, password: user.password } });
    const setCookie = login.res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^rc_refresh=[^;]+;/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    const cookie = setCookie.split(';')[0]!;

    const refreshed = await post(REFRESH, {}, cookie);
    expect(refreshed.body.errors).toBeUndefined();
    const rotatedCookie = refreshed.res.headers.get('set-cookie')!.split(';')[0]!;
    expect(rotatedCookie).not.toBe(cookie);

    const out = await post(LOG_OUT, {}, rotatedCookie);
    expect(out.body.data.logOut).toBe(true);
    expect(out.res.headers.get('set-cookie')).toMatch(/rc_refresh=;.*Expires=Thu, 01 Jan 1970/);
    expect((await post(REFRESH, {}, rotatedCookie)).body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('marks the cookie Secure with the __Host- prefix outside localhost', async () => {
    const user = await signUpUser(url);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-host': 'chat.example.com' },
      body: JSON.stringify({ query: LOG_IN, variables: { input: { email: user.email, password: user.password } } }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-rc_refresh=.*; Secure/);
  });
});
