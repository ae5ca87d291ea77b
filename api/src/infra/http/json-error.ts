import type express from 'express';

/** Answers with the API's one JSON error shape: `{ errors: [{ message, extensions: { code, requestId } }] }`. */
export function jsonError(
  res: express.Response,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .json({ errors: [{ message, extensions: { ...extensions, code, requestId: res.locals.requestId } }] });
}
