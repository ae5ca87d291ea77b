import { randomUUID } from 'node:crypto';
import { Entity, type Opt, PrimaryKey, Property } from '@mikro-orm/core';
import type { Gender } from './gender';
import { UserRole } from './user-role';

export interface NewUser {
  email: string;
  passwordHash: string;
  nickname: string;
  gender?: Gender;
  birthYear?: number;
}

@Entity({ tableName: 'users' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** Lower-cased; unique. Null once the account is deleted. */
  @Property({ length: 254, unique: true, nullable: true })
  email: string | null;

  /**
   * `scrypt$<logN>$<r>$<p>$<salt>$<hash>`: parameters travel with the hash so they can be raised
   * later. Null once the account is deleted.
   */
  @Property({ length: 255, hidden: true, lazy: true, nullable: true })
  passwordHash: string | null;

  @Property({ length: 20 })
  nickname: string;

  /** A string column rather than an enum: MikroORM 6 misreads SQLite enum checks as drift. */
  @Property({ type: 'string', length: 16, nullable: true })
  gender?: Gender;

  @Property({ type: 'smallint', nullable: true })
  birthYear?: number;

  /**
   * The profile photo: the id of one of the user's own uploads. A plain column, not a foreign key:
   * uploads already reference their owner, and SQLite cannot create a circular pair of keys.
   */
  @Property({ type: 'uuid', nullable: true })
  photoId?: string | null;

  /** Failed logins since the last success or unlock; reaching the threshold locks the account. */
  @Property({ type: 'integer' })
  failedLogins: number & Opt = 0;

  /** Set while locked after too many failed logins; cleared by an emailed unlock code or a reset. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  lockedAt?: Date | null;

  /** The verified phone number in E.164 (+821012345678): one account per number. Null until verified. */
  @Property({ length: 16, unique: true, nullable: true })
  phone?: string | null;

  /** When the phone number was verified (an SMS code); null: no verified phone. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  phoneVerifiedAt?: Date | null;

  /** USER or MODERATOR (a string column, like gender); set with `npm run user:role`. */
  @Property({ type: 'string', length: 16 })
  role: UserRole & Opt = UserRole.USER;

  /**
   * Set while the account is in quarantine (MODERATION_QUARANTINE_REPORTS reports from distinct
   * users within 24 h), until a moderator dismisses the reports; the matcher pairs such accounts
   * only with each other.
   */
  @Property({ type: 'datetime', length: 3, nullable: true })
  quarantinedAt?: Date | null;

  /** A moderator's suspension: logIn is refused until then. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  suspendedUntil?: Date | null;

  /** A moderator's ban: logIn is refused for good. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  bannedAt?: Date | null;

  /** The moderator's note to the user about the current suspension or ban (shown at logIn). */
  @Property({ length: 500, nullable: true })
  sanctionNote?: string | null;

  /** A moderator's warning the user has not dismissed yet, and when it was given. */
  @Property({ length: 500, nullable: true })
  warningNote?: string | null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  warnedAt?: Date | null;

  /** Set when the account was deleted: the row stays (as "deleted user" in peers' history), erased. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  deletedAt?: Date | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  constructor(init: NewUser) {
    this.email = init.email;
    this.passwordHash = init.passwordHash;
    this.nickname = init.nickname;
    this.gender = init.gender;
    this.birthYear = init.birthYear;
  }
}
