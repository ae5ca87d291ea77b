import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mailerContract } from './mailer.contract';
import { createOutboxMailer } from './mailer.outbox';

mailerContract('dev outbox', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'randchat-outbox-'));
  const mailer = createOutboxMailer(path.join(dir, 'outbox'), { from: 'no-reply@randchat.test' });
  return {
    mailer,
    received: async () => (await mailer.list()).reverse(),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
