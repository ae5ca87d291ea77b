import { parse, serialize } from 'cookie';
import type { RefreshCookie } from '../graphql/context';

/** Served over https the cookie gets the __Host- prefix (Secure, Path=/, no Domain); on localhost plain http works. */
const SECURE_NAME = '__Host-rc_refresh';
const LOCAL_NAME = 'rc_refresh';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * The web app's refresh cookie on one HTTP exchange.
 * @param hostname the host the client addressed (without port)
 * @param cookieHeader the request's `Cookie` header
 * @param appendSetCookie adds one `Set-Cookie` header to the response
 */
export function refreshCookieFor(
  hostname: string,
  cookieHeader: string | undefined,
  appendSetCookie: (value: string) => void,
): RefreshCookie {
  const secure = !LOCAL_HOSTS.has(hostname);
  const name = secure ? SECURE_NAME : LOCAL_NAME;
  const base = { httpOnly: true, secure, sameSite: 'strict' as const, path: '/' };
  return {
    read() {
      const cookies = parse(cookieHeader ?? '');
      return cookies[SECURE_NAME] ?? cookies[LOCAL_NAME];
    },
    set(token, expiresAt) {
      appendSetCookie(serialize(name, token, { ...base, expires: expiresAt }));
    },
    clear() {
      appendSetCookie(serialize(name, '', { ...base, expires: new Date(0) }));
    },
  };
}
