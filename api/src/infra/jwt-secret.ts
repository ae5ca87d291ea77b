import { randomBytes } from 'node:crypto';
import { readOrCreateFile } from './generated-file';

/** Embedded mode only: a random secret created once and kept (mode 0600) under the data directory. */
export function loadOrCreateJwtSecret(dataDir: string): string {
  return readOrCreateFile(dataDir, 'jwt-secret', () => randomBytes(48).toString('base64url'));
}
