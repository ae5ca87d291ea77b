import { backendKind } from '../../../test/utils/backend';
import { codes, gql } from '../../../test/utils/graphql';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser } from '../../../test/utils/users';

const LOG_IN = `mutation LogIn($input: LogInInput!) { logIn(input: $input) { accessToken } }`;
const LIMITS = { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_ATTEMPTS_PER_IP: '8', LOGIN_THROTTLE_WINDOW: '2s' };

let one: TestServer;
let two: TestServer | undefined;

beforeAll(async () => {
  one = await startTestServer({ env: LIMITS });
  // A second instance on the same database and Redis: counters must be shared (real backend only).
  if (backendKind() === 'real') two = await startTestServer({ env: LIMITS, backend: one.backend });
});

afterAll(async () => {
  await two?.close();
  await one.close();
});

const fromIp = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const logIn = (url: string, email: string, password: string, ip: string) =>
  gql(url, LOG_IN, { input: { email, password } }, fromIp(ip));

describe('sign-up throttling', () => {
  it('limits sign-ups per IP', async () => {
    const limited = await startTestServer({ env: { SIGNUP_MAX_PER_IP: '2' } });
    try {
      const input = (i: number) => ({
        input: { email: `s${i}-${Date.now()}@example.test`, password: 'password123', nickname: 'Sig' },
      });
      const signUp = 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }';
      const results = [];
      for (let i = 0; i < 3; i++)
        results.push(codes(await gql(limited.graphqlUrl, signUp, input(i), fromIp('203.0.113.5')))[0]);
      expect(results).toEqual([undefined, undefined, 'RATE_LIMITED']);
      expect(codes(await gql(limited.graphqlUrl, signUp, input(4), fromIp('203.0.113.6')))).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe('login throttling', () => {
  it('locks an account after the allowed failures, even for the right password, then lets it in after the window', async () => {
    const user = await signUpUser(one.graphqlUrl);
    const urls = [one.graphqlUrl, two?.graphqlUrl ?? one.graphqlUrl];
    for (let i = 0; i < 3; i++) {
      expect(codes(await logIn(urls[i % 2]!, user.email, 'wrong password', `10.0.0.${i + 1}`))).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
    const locked = await logIn(urls[1]!, user.email, user.password, '10.0.0.9');
    expect(codes(locked)).toEqual(['RATE_LIMITED']);
    expect(locked.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the configured 2 s window, in seconds
    expect((await logIn(urls[0]!, user.email, user.password, '10.0.0.9')).errors).toBeUndefined();
  });

  it('limits attempts per IP across accounts and instances', async () => {
    const urls = [one.graphqlUrl, two?.graphqlUrl ?? one.graphqlUrl];
    const results = [];
    for (let i = 0; i < 9; i++)
      results.push(codes(await logIn(urls[i % 2]!, `nobody${i}@example.test`, 'whatever1', '192.0.2.7'))[0]);
    expect(results.slice(0, 8)).toEqual(Array(8).fill('UNAUTHENTICATED'));
    expect(results[8]).toBe('RATE_LIMITED');
    // Another network is unaffected.
    expect(codes(await logIn(one.graphqlUrl, 'nobody@example.test', 'whatever1', '192.0.2.8'))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('gives aliased logIn calls no extra guesses: execution stops at the first failure, each attempt counts', async () => {
    const user = await signUpUser(one.graphqlUrl);
    const batch = (round: number) =>
      `mutation { ${[0, 1, 2, 3].map((i) => `a${i}: logIn(input: { email: "${user.email}", password: "guess-${round}-${i}" }) { accessToken }`).join(' ')} }`;
    for (let round = 0; round < 3; round++) {
      const res = await gql(one.graphqlUrl, batch(round), undefined, fromIp('198.51.100.1'));
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    }
    const locked = await gql(
      one.graphqlUrl,
      LOG_IN,
      { input: { email: user.email, password: user.password } },
      fromIp('198.51.100.1'),
    );
    expect(codes(locked)).toEqual(['RATE_LIMITED']);
  });
});
