import express from 'express';
import { assertStorageKey, type Storage } from '../storage/storage.port';
import type { UrlSigner } from '../storage/url-signer';
import { jsonError } from './json-error';

const validKey = (key: string) => {
  try {
    assertStorageKey(key);
    return true;
  } catch {
    return false;
  }
};

export interface MediaRouteDeps {
  /** The disk storage whose `url()`s point here. */
  storage: Storage;
  signer: UrlSigner;
  /** Unix time in milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * `GET /media/<key>?exp=<unix seconds>&sig=<base64url HMAC>`: serves a stored object while its signed
 * URL is valid. 403 FORBIDDEN for a bad or expired signature (checked before the storage is read,
 * so a prober learns nothing about which keys exist), 404 NOT_FOUND when nothing is stored.
 */
export function createMediaRouter({ storage, signer, now = Date.now }: MediaRouteDeps): express.Router {
  const router = express.Router();
  router.get('/media/*key', async (req, res) => {
    const key = (req.params as { key: string[] }).key.join('/');
    const nowSeconds = Math.floor(now() / 1000);
    const verdict = validKey(key) ? signer.check(key, req.query.exp, req.query.sig, nowSeconds) : 'invalid';
    if (verdict !== 'ok') {
      res.setHeader('cache-control', 'no-store');
      const message =
        verdict === 'expired' ? 'This media link has expired; request a fresh one' : 'This media link is invalid';
      return jsonError(res, 403, 'FORBIDDEN', message);
    }
    const object = await storage.get(key);
    if (!object) return jsonError(res, 404, 'NOT_FOUND', 'No media stored under this link');
    res.setHeader('content-type', object.contentType);
    res.setHeader('cache-control', `private, max-age=${Number(req.query.exp) - nowSeconds}, immutable`);
    res.setHeader('x-content-type-options', 'nosniff');
    res.send(object.body);
  });
  return router;
}
