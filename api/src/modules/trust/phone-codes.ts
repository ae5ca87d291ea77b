import type { Clock } from '../../infra/clock';
import type { Em } from '../../infra/db/orm';
import { OneTimeCodes } from '../../infra/one-time-codes';
import { PhoneCode } from './phone-code.entity';

export interface PhoneCodeOptions {
  /** Keys the HMAC of stored codes (a leaked table does not give the codes away by brute force). */
  secret: string;
  ttlMs: number;
  maxAttempts: number;
  clock: Clock;
}

/** Six-digit SMS codes proving that a user receives messages at a number; one live code per user. */
export class PhoneCodes {
  private readonly codes: OneTimeCodes<PhoneCode>;

  constructor(options: PhoneCodeOptions) {
    this.codes = new OneTimeCodes({ ...options, entity: PhoneCode, field: 'code' });
  }

  /** Replaces the user's live code with a new one for `phone` (attempts start again); returns the code. */
  async issue(em: Em, userId: string, phone: string): Promise<string> {
    const { code, codeHash, expiresAt } = this.codes.create([userId, phone]);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(PhoneCode, { user: userId });
      tx.persist(new PhoneCode({ userId, phone, codeHash, expiresAt }));
    });
    return code;
  }

  /**
   * Checks a code for the user's number and returns the id to `redeem`; each call spends an attempt
   * (OneTimeCodes.verify). A wrong, expired or exhausted code, or one sent to another number, throws
   * BAD_USER_INPUT (field `code`).
   */
  verify(em: Em, userId: string, phone: string, code: string): Promise<string> {
    return this.codes.verify(em, { user: userId, phone }, [userId, phone], code);
  }

  /** Uses up a verified code inside the caller's transaction; throws when it was already used. */
  redeem(tx: Em, codeId: string): Promise<void> {
    return this.codes.redeem(tx, codeId);
  }
}
