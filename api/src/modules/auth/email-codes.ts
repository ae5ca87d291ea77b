import type { Clock } from '../../infra/clock';
import type { Em } from '../../infra/db/orm';
import { OneTimeCodes } from '../../infra/one-time-codes';
import { EmailCode, EmailCodePurpose } from './email-code.entity';

export interface EmailCodeOptions {
  /** Keys the HMAC of stored codes (a leaked table does not give the codes away by brute force). */
  secret: string;
  ttlMs: number;
  maxAttempts: number;
  clock: Clock;
}

/** Six-digit codes proving ownership of an email address, one live code per (purpose, address). */
export class EmailCodes {
  private readonly codes: OneTimeCodes<EmailCode>;

  constructor(options: EmailCodeOptions) {
    this.codes = new OneTimeCodes({ ...options, entity: EmailCode, field: 'emailCode' });
  }

  /**
   * Replaces the address's live code for `purpose` with a new one (attempts start again) in `em`'s
   * unit of work; returns the code, to be mailed after the caller commits.
   */
  async issue(em: Em, purpose: EmailCodePurpose, email: string): Promise<string> {
    const { code, codeHash, expiresAt } = this.codes.create([purpose, email]);
    await em.nativeDelete(EmailCode, { purpose, email });
    em.persist(new EmailCode({ purpose, email, codeHash, expiresAt }));
    return code;
  }

  /**
   * Checks a code and returns the id to `redeem`; each call spends an attempt (OneTimeCodes.verify).
   * A wrong, expired or exhausted code throws BAD_USER_INPUT (field `emailCode`).
   */
  verify(em: Em, purpose: EmailCodePurpose, email: string, code: string): Promise<string> {
    return this.codes.verify(em, { purpose, email }, [purpose, email], code);
  }

  /** Uses up a verified code inside the caller's transaction; throws when it was already used. */
  redeem(tx: Em, codeId: string): Promise<void> {
    return this.codes.redeem(tx, codeId);
  }
}

export { EmailCodePurpose };
