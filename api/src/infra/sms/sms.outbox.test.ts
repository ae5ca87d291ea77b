import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOutboxMailer } from '../mail/mailer.outbox';
import { smsContract } from './sms.contract';
import { createOutboxSms } from './sms.outbox';

smsContract('dev outbox', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'randchat-sms-'));
  const outbox = createOutboxMailer(dir, { from: 'randchat' });
  return {
    sender: createOutboxSms(outbox),
    async received() {
      const entries = (await outbox.list()).reverse();
      return entries.map((m) => ({ to: m.to, text: m.text }));
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
