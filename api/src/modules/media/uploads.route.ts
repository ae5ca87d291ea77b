import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { AuthState } from '../../infra/graphql/context';
import { AppError, ErrorCode, UnauthenticatedError } from '../../infra/graphql/errors';
import { jsonError } from '../../infra/http/json-error';
import type { Logger } from '../../infra/logger';
import type { MediaService } from './media.service';
import { PayloadTooLargeError, readSingleFile } from './multipart';

export interface UploadsRouteDeps {
  media: MediaService;
  /** Checks an `Authorization` header exactly as the GraphQL context does. */
  authenticate(authorization: string | undefined): Promise<AuthState>;
  /** Largest accepted file, in bytes (UPLOAD_MAX_BYTES). */
  maxBytes: number;
  logger: Logger;
}

/** Room for the multipart boundaries and part headers around the file. */
const MULTIPART_OVERHEAD_BYTES = 16_384;

const STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/**
 * Reads and throws away what is left of a refused request body, so the client sees the answer
 * instead of a reset and the connection can be reused; past `capBytes` the socket is dropped.
 */
function discardBody(req: IncomingMessage, capBytes: number): void {
  if (req.readableEnded) return;
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > capBytes) req.socket.destroy();
  });
  req.resume();
}

/**
 * `POST /uploads` (multipart/form-data, one file field `file`, `Authorization: Bearer <token>`):
 * 201 `{ id, width, height, contentType }`. Errors use the API's JSON error shape: 401
 * UNAUTHENTICATED, 429 RATE_LIMITED (per user, checked before the body is read), 413
 * PAYLOAD_TOO_LARGE, 400 BAD_USER_INPUT (not one JPEG, PNG or WebP file).
 */
export function createUploadsRouter(deps: UploadsRouteDeps): express.Router {
  const router = express.Router();

  const fail = (req: express.Request, res: express.Response, err: unknown) => {
    // The client went away mid-upload: nobody to answer, nothing to log.
    if (req.socket.destroyed || res.headersSent) return;
    discardBody(req, 2 * deps.maxBytes + MULTIPART_OVERHEAD_BYTES);
    if (err instanceof PayloadTooLargeError)
      return jsonError(res, 413, 'PAYLOAD_TOO_LARGE', err.message, { limitBytes: err.limitBytes });
    if (err instanceof AppError) {
      const { code, ...extensions } = err.extensions as {
        code: ErrorCode;
        retryAfterSeconds?: unknown;
        retryAfterMs?: unknown;
      };
      if (typeof extensions.retryAfterSeconds === 'number')
        res.setHeader('retry-after', String(extensions.retryAfterSeconds));
      else if (typeof extensions.retryAfterMs === 'number')
        res.setHeader('retry-after', String(Math.max(1, Math.ceil(extensions.retryAfterMs / 1000))));
      return jsonError(res, STATUS[code] ?? 400, code, err.message, extensions);
    }
    deps.logger.error({ err, requestId: res.locals.requestId }, 'upload failed');
    return jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };

  router.post('/uploads', async (req, res) => {
    try {
      const auth = await deps.authenticate(req.get('authorization'));
      if (!auth.user) throw new UnauthenticatedError(auth.error);
      await deps.media.assertMayUpload(auth.user.userId);
      if (Number(req.get('content-length')) > deps.maxBytes + MULTIPART_OVERHEAD_BYTES)
        throw new PayloadTooLargeError(deps.maxBytes);
      const file = await readSingleFile(req, deps.maxBytes);
      const upload = await deps.media.createUpload(auth.user.userId, file);
      res
        .status(201)
        .json({ id: upload.id, width: upload.width, height: upload.height, contentType: upload.contentType });
    } catch (err) {
      fail(req, res, err);
    }
  });
  return router;
}
