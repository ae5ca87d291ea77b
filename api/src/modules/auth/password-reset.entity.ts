import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, type Opt, PrimaryKey, Property, ref, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';

/** A mailed, single-use password reset token; only its SHA-256 is stored. */
@Entity({ tableName: 'password_resets' })
export class PasswordReset {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  user: Ref<User>;

  @Property({ length: 64, unique: true, hidden: true })
  tokenHash: string;

  @Property({ type: 'datetime', length: 3 })
  expiresAt: Date;

  @Property({ type: 'datetime', length: 3, nullable: true })
  usedAt?: Date;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(userId: string, tokenHash: string, expiresAt: Date) {
    this.user = ref(User, userId);
    this.tokenHash = tokenHash;
    this.expiresAt = expiresAt;
  }
}
