import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { Clock } from '../../infra/clock';
import type { Em } from '../../infra/db/orm';
import { BadUserInputError } from '../../infra/graphql/errors';
import { EmailCode, EmailCodePurpose } from './email-code.entity';

export interface EmailCodeOptions {
  /** Keys the HMAC of stored codes (a leaked table does not give the codes away by brute force). */
  secret: string;
  ttlMs: number;
  maxAttempts: number;
  clock: Clock;
}

const WRONG_CODE = 'The code is wrong, used up or expired; request a new one';

/** Six-digit codes proving ownership of an email address. */
export class EmailCodes {
  constructor(private readonly options: EmailCodeOptions) {}

  /**
   * Replaces the address's live code for `purpose` with a new one (attempts start again) in `em`'s
   * unit of work; returns the code, to be mailed after the caller commits.
   */
  async issue(em: Em, purpose: EmailCodePurpose, email: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await em.nativeDelete(EmailCode, { purpose, email });
    em.persist(
      new EmailCode({
        purpose,
        email,
        codeHash: this.hash(purpose, email, code),
        expiresAt: new Date(this.options.clock() + this.options.ttlMs),
      }),
    );
    return code;
  }

  /**
   * Checks a code and returns the id to `redeem`. It first spends one attempt with a conditional,
   * auto-committed UPDATE (never inside the caller's transaction, whose rollback would refund it),
   * so a code is tried at most `maxAttempts` times even under parallel guesses. A wrong, expired or
   * exhausted code throws BAD_USER_INPUT (field `emailCode`), the same for every case.
   */
  async verify(em: Em, purpose: EmailCodePurpose, email: string, code: string): Promise<string> {
    const spent = await em.nativeUpdate(
      EmailCode,
      {
        purpose,
        email,
        attempts: { $lt: this.options.maxAttempts },
        expiresAt: { $gt: new Date(this.options.clock()) },
      },
      { attempts: raw('attempts + 1') },
    );
    if (spent === 0) throw new BadUserInputError(WRONG_CODE, 'emailCode');
    const row = await em.findOne(EmailCode, { purpose, email }, { refresh: true });
    const expected = Buffer.from(row?.codeHash ?? '');
    const presented = Buffer.from(this.hash(purpose, email, code));
    if (!row || expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
      throw new BadUserInputError(WRONG_CODE, 'emailCode');
    }
    return row.id;
  }

  /** Uses up a verified code inside the caller's transaction; throws when it was already used. */
  async redeem(tx: Em, codeId: string): Promise<void> {
    if ((await tx.nativeDelete(EmailCode, { id: codeId })) === 0) throw new BadUserInputError(WRONG_CODE, 'emailCode');
  }

  private hash(purpose: EmailCodePurpose, email: string, code: string): string {
    return createHmac('sha256', this.options.secret).update(`${purpose}\n${email}\n${code}`).digest('base64url');
  }
}

export { EmailCodePurpose };
