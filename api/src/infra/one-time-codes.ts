import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { raw, type EntityData, type EntityName, type FilterQuery } from '@mikro-orm/core';
import type { Clock } from './clock';
import type { Em } from './db/orm';
import { BadUserInputError } from './graphql/errors';

/** The columns every table of one-time codes has; each table adds what its codes belong to. */
export interface OneTimeCodeRow {
  id: string;
  /** HMAC of the code and its scope; the code itself is never stored. */
  codeHash: string;
  attempts: number;
  expiresAt: Date;
}

export interface OneTimeCodeOptions<T extends OneTimeCodeRow> {
  /** The entity of the codes' table. */
  entity: EntityName<T>;
  /** Keys the HMAC of stored codes (a leaked table does not give the codes away by brute force). */
  secret: string;
  ttlMs: number;
  maxAttempts: number;
  clock: Clock;
  /** The argument a refused code is reported on (BAD_USER_INPUT's `field`). */
  field: string;
}

const WRONG_CODE = 'The code is wrong, used up or expired; request a new one';

/**
 * Six-digit codes sent to prove something (an email address, a phone number): a row keeps an HMAC
 * of the code bound to its `scope` (what it was sent for), its expiry and the attempts spent. Every
 * guess spends an attempt before it is compared, so parallel guesses get no more than `maxAttempts`.
 */
export class OneTimeCodes<T extends OneTimeCodeRow> {
  constructor(private readonly options: OneTimeCodeOptions<T>) {}

  /** A new code with the hash and expiry its row keeps; the caller stores the row, then sends the code. */
  create(scope: readonly string[]): { code: string; codeHash: string; expiresAt: Date } {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    return { code, codeHash: this.hash(scope, code), expiresAt: new Date(this.options.clock() + this.options.ttlMs) };
  }

  /**
   * Checks `code` against the row `where` selects, sent for `scope`, and returns the row's id to
   * `redeem`. It first spends one attempt with a conditional, auto-committed UPDATE (never inside a
   * transaction whose rollback would refund it). A wrong, expired or exhausted code, or no row,
   * throws BAD_USER_INPUT on `field`, the same for every case.
   */
  async verify(em: Em, where: FilterQuery<T>, scope: readonly string[], code: string): Promise<string> {
    const { entity, maxAttempts, clock } = this.options;
    const live = { attempts: { $lt: maxAttempts }, expiresAt: { $gt: new Date(clock()) } };
    const spent = await em.nativeUpdate(
      entity,
      { $and: [where, live] } as FilterQuery<T>,
      {
        attempts: raw('attempts + 1'),
      } as EntityData<T>,
    );
    if (spent === 0) throw this.refused();
    const row = await em.findOne(entity, where, { refresh: true });
    const expected = Buffer.from(row?.codeHash ?? '');
    const presented = Buffer.from(this.hash(scope, code));
    if (!row || expected.length !== presented.length || !timingSafeEqual(expected, presented)) throw this.refused();
    return row.id;
  }

  /** Uses up a verified code inside the caller's transaction; throws when it was already used. */
  async redeem(tx: Em, id: string): Promise<void> {
    if ((await tx.nativeDelete(this.options.entity, { id } as FilterQuery<T>)) === 0) throw this.refused();
  }

  private refused(): BadUserInputError {
    return new BadUserInputError(WRONG_CODE, this.options.field);
  }

  private hash(scope: readonly string[], code: string): string {
    return createHmac('sha256', this.options.secret)
      .update([...scope, code].join('\n'))
      .digest('base64url');
  }
}
