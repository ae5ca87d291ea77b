import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Embedded mode only: the content of `dataDir/name`, created once (mode 0600) by `create` and kept,
 * so that a generated secret survives restarts. Instances starting together agree on one.
 */
export function readOrCreateFile(dataDir: string, name: string, create: () => string): string {
  const file = path.join(dataDir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const content = create();
    try {
      writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
      return content;
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
      throw err;
    }
  }
}
