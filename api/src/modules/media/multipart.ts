import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { BadUserInputError } from '../../infra/graphql/errors';

/** The body (or its one file) is larger than allowed; the transport answers 413. */
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`Uploads may be at most ${limitBytes} bytes`);
  }
}

/**
 * Reads the one file of a `multipart/form-data` request into memory. Rejects with
 * PayloadTooLargeError as soon as the file passes `maxBytes` (the rest of the body is left unread:
 * the caller answers and discards it), BadUserInputError for anything but exactly one file in
 * `field`.
 */
export function readSingleFile(req: IncomingMessage, maxBytes: number, field = 'file'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 10, fieldSize: 1024, parts: 20 },
      });
    } catch {
      return reject(new BadUserInputError(`expected a multipart/form-data body with a file field "${field}"`));
    }
    let file: Buffer | undefined;
    let failure: Error | undefined;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      const error = err ?? failure;
      if (error) return reject(error);
      if (!file) return reject(new BadUserInputError(`expected a file field "${field}"`, field));
      resolve(file);
    };
    const wrongShape = () => new BadUserInputError(`expected exactly one file, in the field "${field}"`, field);

    parser.on('file', (name, stream) => {
      if (name !== field) {
        failure ??= wrongShape();
        return stream.resume();
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => settle(new PayloadTooLargeError(maxBytes)));
      stream.on('end', () => {
        if (!stream.truncated) file = Buffer.concat(chunks);
      });
    });
    parser.on('filesLimit', () => (failure ??= wrongShape()));
    parser.on('partsLimit', () => (failure ??= wrongShape()));
    parser.on('error', () => settle(new BadUserInputError('malformed multipart/form-data body')));
    parser.on('close', () => settle());
    req.on('error', (err) => settle(err));
    req.pipe(parser);
  });
}
