import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Mail, Mailer } from './mailer.port';

/** A mail as the dev outbox keeps it. */
export interface OutboxMail extends Mail {
  id: string;
  from: string;
  sentAt: string;
}

export interface OutboxMailer extends Mailer {
  /** Every mail written so far, newest first. */
  list(): Promise<OutboxMail[]>;
}

/**
 * The embedded default's mail transport: each mail becomes a JSON file in `dir` (written to a
 * temporary name, then renamed, so readers never see half a mail), listed at `GET /dev/outbox`
 * outside production. Nothing leaves the machine.
 */
export function createOutboxMailer(dir: string, options: { from: string }): OutboxMailer {
  let created: Promise<unknown> | undefined;
  /** Orders this process's mails sent within one millisecond (file names sort by time, then by it). */
  let sent = 0;
  return {
    async send(mail: Mail) {
      const sentAt = new Date();
      const order = String(sent++).padStart(9, '0');
      created ??= mkdir(dir, { recursive: true });
      await created;
      const id = `${sentAt.toISOString().replace(/[:.]/g, '-')}-${order}-${randomUUID().slice(0, 8)}`;
      const entry: OutboxMail = { id, from: options.from, sentAt: sentAt.toISOString(), ...mail };
      const file = path.join(dir, `${id}.json`);
      await writeFile(`${file}.tmp`, JSON.stringify(entry, null, 2), { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    },
    async list() {
      const names = await readdir(dir).catch(() => [] as string[]);
      const files = names
        .filter((n) => n.endsWith('.json'))
        .sort()
        .reverse();
      return Promise.all(files.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')) as OutboxMail));
    },
    async dispose() {},
  };
}
