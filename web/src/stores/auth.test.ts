import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeServer, GqlError, freshPinia, session } from '../test/fakeApi';
import { useAuthStore } from './auth';

let server: FakeServer;
beforeEach(() => {
  server = new FakeServer();
  freshPinia(server);
});
afterEach(() => useAuthStore().clear());

describe('restoring the session from the refresh cookie', () => {
  it('logs in with refreshToken and no argument on app load', async () => {
    const s = session('u1');
    server.handlers.RefreshSession = () => ({ refreshToken: s });
    const auth = useAuthStore();
    expect(auth.status).toBe('restoring');
    await auth.restore();
    expect(server.calls[0]).toEqual({ operation: 'RefreshSession', variables: {} });
    expect(auth.status).toBe('authenticated');
    expect(auth.accessToken).toBe(s.accessToken);
    expect(auth.user?.id).toBe('u1');
  });

  it('is anonymous without a cookie', async () => {
    server.handlers.RefreshSession = () => {
      throw new GqlError('UNAUTHENTICATED');
    };
    const auth = useAuthStore();
    await auth.restore();
    expect(auth.status).toBe('anonymous');
    expect(auth.accessToken).toBeNull();
    expect(auth.endedReason).toBeNull();
  });
});

describe('refreshing', () => {
  it('shares one refreshToken call between concurrent callers (tokens rotate)', async () => {
    server.handlers.RefreshSession = () => ({ refreshToken: session() });
    const auth = useAuthStore();
    await auth.restore();
    const [a, b, c] = await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect([a, b, c]).toEqual([true, true, true]);
    expect(server.count('RefreshSession')).toBe(2);
  });

  it('refreshes a token close to expiry before handing it out', async () => {
    let n = 0;
    server.handlers.RefreshSession = () => ({
      refreshToken: { ...session('u1', n++ === 0 ? 20_000 : 900_000), accessToken: `t${n}` },
    });
    const auth = useAuthStore();
    await auth.restore();
    expect(auth.accessToken).toBe('t1');
    // 20 s left (< 30 s margin) but just received: used as is
    expect(await auth.freshAccessToken()).toBe('t1');
    auth.$patch({ expiresAt: Date.now() + 10_000, receivedAt: Date.now() - 60_000 });
    expect(await auth.freshAccessToken()).toBe('t2');
  });

  it('ends the session when the refresh token is refused twice', async () => {
    server.handlers.RefreshSession = () => ({ refreshToken: session() });
    const auth = useAuthStore();
    await auth.restore();
    server.handlers.RefreshSession = () => {
      throw new GqlError('UNAUTHENTICATED');
    };
    expect(await auth.refresh()).toBe(false);
    expect(server.count('RefreshSession')).toBe(3); // restore, then a second try after a parallel-refresh refusal
    expect(auth.status).toBe('anonymous');
    expect(auth.endedReason).toBe('expired');
  });

  it('ends the session at the first refusal that says why, keeping the reason for the login screen', async () => {
    server.handlers.RefreshSession = () => ({ refreshToken: session() });
    const auth = useAuthStore();
    await auth.restore();
    server.handlers.RefreshSession = () => {
      throw new GqlError('UNAUTHENTICATED', { reason: 'PASSWORD_RESET' });
    };
    expect(await auth.refresh()).toBe(false);
    expect(server.count('RefreshSession')).toBe(2); // restore, then the refusal: no second try
    expect(auth.status).toBe('anonymous');
    expect(auth.endedReason).toBe('PASSWORD_RESET');
  });

  it('says why on app load too, when the session ended while the app was closed', async () => {
    server.handlers.RefreshSession = () => {
      throw new GqlError('UNAUTHENTICATED', { reason: 'PASSWORD_CHANGED' });
    };
    const auth = useAuthStore();
    await auth.restore();
    expect(auth.status).toBe('anonymous');
    expect(auth.endedReason).toBe('PASSWORD_CHANGED');
  });

  it('keeps the session through a network failure', async () => {
    server.handlers.RefreshSession = () => ({ refreshToken: session() });
    const auth = useAuthStore();
    await auth.restore();
    server.handlers.RefreshSession = () => {
      throw new Error('offline');
    };
    expect(await auth.refresh()).toBe(false);
    expect(auth.status).toBe('authenticated');
  });
});

describe('outages log nobody out', () => {
  it.each([
    ['UNAVAILABLE', () => new GqlError('UNAVAILABLE', { retryAfterMs: 1000 })],
    ['INTERNAL_SERVER_ERROR', () => new GqlError('INTERNAL_SERVER_ERROR')],
    ['RATE_LIMITED', () => new GqlError('RATE_LIMITED', { retryAfterSeconds: 5 })],
    ['a network error', () => new Error('Failed to fetch')],
  ])('keeps the session when the refresh fails with %s', async (_name, failure) => {
    server.handlers.RefreshSession = () => ({ refreshToken: session('u1') });
    const auth = useAuthStore();
    await auth.restore();
    const token = auth.accessToken;
    server.handlers.RefreshSession = () => {
      throw failure();
    };
    expect(await auth.refresh()).toBe(false);
    expect(server.count('RefreshSession')).toBe(2);
    expect(auth).toMatchObject({ status: 'authenticated', accessToken: token, endedReason: null });
  });

  it('keeps restoring the session on app load while the API answers UNAVAILABLE', async () => {
    let refusals = 3;
    server.handlers.RefreshSession = () => {
      if (refusals-- > 0) throw new GqlError('UNAVAILABLE', { retryAfterMs: 1 });
      return { refreshToken: session('u1') };
    };
    const auth = useAuthStore();
    await auth.restore();
    expect(server.count('RefreshSession')).toBe(4);
    expect(auth.status).toBe('authenticated');
  });
});

describe('logging in and out', () => {
  it('keeps the access token in memory only', async () => {
    const writes: string[] = [];
    (globalThis as { localStorage?: unknown }).localStorage = {
      setItem: (k: string) => writes.push(k),
      getItem: () => null,
    };
    const s = session();
    server.handlers.LogIn = () => ({ logIn: s });
    const auth = useAuthStore();
    await auth.logIn({ email: 'a@example.com', password: 'secret password' });
    expect(server.calls.at(-1)?.variables).toEqual({ input: { email: 'a@example.com', password: 'secret password' } });
    expect(auth.accessToken).toBe(s.accessToken);
    expect(writes).toEqual([]);
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('reports a locked account with its reason', async () => {
    server.handlers.LogIn = () => {
      throw new GqlError('FORBIDDEN', { reason: 'ACCOUNT_LOCKED' });
    };
    await expect(useAuthStore().logIn({ email: 'a@example.com', password: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'ACCOUNT_LOCKED',
    });
  });

  it('reports the fields of invalid sign-up input', async () => {
    server.handlers.SignUp = () => {
      throw new GqlError('BAD_USER_INPUT', { fields: [{ field: 'input.email', message: 'email must be an email' }] });
    };
    await expect(useAuthStore().signUp({ email: 'nope', password: 'x', nickname: 'Al' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: ['email'],
    });
  });

  it('logs out through the cookie and forgets the session, even when the server is away', async () => {
    server.handlers.LogIn = () => ({ logIn: session() });
    server.handlers.LogOut = () => {
      throw new Error('offline');
    };
    const auth = useAuthStore();
    await auth.logIn({ email: 'a@example.com', password: 'secret password' });
    await auth.logOut();
    expect(server.calls.at(-1)).toEqual({ operation: 'LogOut', variables: {} });
    expect(auth.status).toBe('anonymous');
    expect(auth.user).toBeNull();
  });
});
