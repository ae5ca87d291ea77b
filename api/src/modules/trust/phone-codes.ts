import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { Clock } from '../../infra/clock';
import type { Em } from '../../infra/db/orm';
import { BadUserInputError } from '../../infra/graphql/errors';
import { PhoneCode } from './phone-code.entity';

export interface PhoneCodeOptions {
  /** Keys the HMAC of stored codes (a leaked table does not give the codes away by brute force). */
  secret: string;
  ttlMs: number;
  maxAttempts: number;
  clock: Clock;
}

const WRONG_CODE = 'The code is wrong, used up or expired; request a new one';

/** Six-digit SMS codes proving that a user receives messages at a number. */
export class PhoneCodes {
  constructor(private readonly options: PhoneCodeOptions) {}

  /** Replaces the user's live code with a new one for `phone` (attempts start again); returns the code. */
  async issue(em: Em, userId: string, phone: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(PhoneCode, { user: userId });
      tx.persist(
        new PhoneCode({
          userId,
          phone,
          codeHash: this.hash(userId, phone, code),
          expiresAt: new Date(this.options.clock() + this.options.ttlMs),
        }),
      );
    });
    return code;
  }

  /**
   * Checks a code for the user's number and returns the id to `redeem`. It first spends one attempt
   * with a conditional, auto-committed UPDATE (never inside a transaction whose rollback would
   * refund it), so a code is tried at most `maxAttempts` times even under parallel guesses. A wrong,
   * expired or exhausted code, or one sent to another number, throws BAD_USER_INPUT (field `code`).
   */
  async verify(em: Em, userId: string, phone: string, code: string): Promise<string> {
    const now = new Date(this.options.clock());
    const spent = await em.nativeUpdate(
      PhoneCode,
      { user: userId, phone, attempts: { $lt: this.options.maxAttempts }, expiresAt: { $gt: now } },
      { attempts: raw('attempts + 1') },
    );
    if (spent === 0) throw new BadUserInputError(WRONG_CODE, 'code');
    const row = await em.findOne(PhoneCode, { user: userId }, { refresh: true });
    const expected = Buffer.from(row?.codeHash ?? '');
    const presented = Buffer.from(this.hash(userId, phone, code));
    if (!row || expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
      throw new BadUserInputError(WRONG_CODE, 'code');
    }
    return row.id;
  }

  /** Uses up a verified code inside the caller's transaction; throws when it was already used. */
  async redeem(tx: Em, codeId: string): Promise<void> {
    if ((await tx.nativeDelete(PhoneCode, { id: codeId })) === 0) throw new BadUserInputError(WRONG_CODE, 'code');
  }

  private hash(userId: string, phone: string, code: string): string {
    return createHmac('sha256', this.options.secret).update(`${userId}\n${phone}\n${code}`).digest('base64url');
  }
}
