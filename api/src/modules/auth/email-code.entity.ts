import { randomUUID } from 'node:crypto';
import { Entity, type Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { OneTimeCodeRow } from '../../infra/one-time-codes';

/** What an emailed code proves: that the sender owns the address, to sign up or to unlock an account. */
export enum EmailCodePurpose {
  SIGN_UP = 'SIGN_UP',
  UNLOCK = 'UNLOCK',
}

/**
 * The one live code per (purpose, email): an HMAC of the code, attempts spent and expiry, checked by
 * OneTimeCodes (every guess spends an attempt before it is compared).
 */
@Entity({ tableName: 'email_codes' })
@Unique({ name: 'email_codes_purpose_email_unique', properties: ['purpose', 'email'] })
export class EmailCode implements OneTimeCodeRow {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** A string column rather than an enum: MikroORM 6 misreads several SQLite enum checks as drift. */
  @Property({ type: 'string', length: 16 })
  purpose: EmailCodePurpose;

  @Property({ length: 254 })
  email: string;

  @Property({ length: 64, hidden: true })
  codeHash: string;

  @Property({ type: 'integer' })
  attempts: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  expiresAt: Date;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(init: { purpose: EmailCodePurpose; email: string; codeHash: string; expiresAt: Date }) {
    this.purpose = init.purpose;
    this.email = init.email;
    this.codeHash = init.codeHash;
    this.expiresAt = init.expiresAt;
  }
}
