import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, type Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from './user.entity';

/** A member's report about another user, kept for moderators. */
@Entity({ tableName: 'reports' })
export class Report {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  reporter: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  reported: Ref<User>;

  @Property({ length: 1000 })
  reason: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(reporter: Ref<User>, reported: Ref<User>, reason: string) {
    this.reporter = reporter;
    this.reported = reported;
    this.reason = reason;
  }
}
