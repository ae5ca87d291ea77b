import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, type Opt, PrimaryKey, Property, ref, type Ref } from '@mikro-orm/core';
import type { OneTimeCodeRow } from '../../infra/one-time-codes';
import { User } from '../users/user.entity';

/**
 * The one live SMS code of a user (a new request replaces it): the number it was sent to (E.164),
 * an HMAC of the code, attempts spent and expiry, checked by OneTimeCodes (every guess spends an
 * attempt before it is compared, so parallel guesses get no more than PHONE_CODE_MAX_ATTEMPTS).
 */
@Entity({ tableName: 'phone_codes' })
export class PhoneCode implements OneTimeCodeRow {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => User, { ref: true, unique: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ length: 16 })
  phone: string;

  @Property({ length: 64, hidden: true })
  codeHash: string;

  @Property({ type: 'integer' })
  attempts: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  expiresAt: Date;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(init: { userId: string; phone: string; codeHash: string; expiresAt: Date }) {
    this.user = ref(User, init.userId);
    this.phone = init.phone;
    this.codeHash = init.codeHash;
    this.expiresAt = init.expiresAt;
  }
}
