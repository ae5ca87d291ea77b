import { parse, serialize } from 'cookie';
import type { Request, Response } from 'express';
import type { RefreshCookie } from '../graphql/context';

/** Served over https the cookie gets the __Host- prefix (Secure, Path=/, no Domain); on localhost plain http works. */
const SECURE_NAME = '__Host-rc_refresh';
const LOCAL_NAME = 'rc_refresh';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function refreshCookieFor(req: Request, res: Response): RefreshCookie {
  const secure = !LOCAL_HOSTS.has(req.hostname);
  const name = secure ? SECURE_NAME : LOCAL_NAME;
  const base = { httpOnly: true, secure, sameSite: 'strict' as const, path: '/' };
  return {
    read() {
      const cookies = parse(req.headers.cookie ?? '');
      return cookies[SECURE_NAME] ?? cookies[LOCAL_NAME];
    },
    set(token, expiresAt) {
      res.append('Set-Cookie', serialize(name, token, { ...base, expires: expiresAt }));
    },
    clear() {
      res.append('Set-Cookie', serialize(name, '', { ...base, expires: new Date(0) }));
    },
  };
}
