import { randomUUID } from 'node:crypto';
import { Entity, Index, type Opt, PrimaryKey, Property } from '@mikro-orm/core';
import type { Mail } from './mailer.port';

/**
 * A mail waiting to be sent: written in the same transaction as what it announces (a code, a reset
 * token), deleted once the transport accepted it. Rows that gave up (`failedAt`) stay for operators.
 */
@Entity({ tableName: 'outgoing_mails' })
@Index({ name: 'outgoing_mails_due_index', properties: ['failedAt', 'nextAttemptAt'] })
export class OutgoingMail {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ length: 254, index: true })
  recipient: string;

  @Property({ length: 200 })
  subject: string;

  @Property({ type: 'text' })
  text: string;

  @Property({ type: 'text', nullable: true })
  html?: string;

  @Property({ type: 'integer' })
  attempts: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  nextAttemptAt: Date & Opt = new Date();

  /** While set and in the future, one instance is sending it. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  claimedUntil?: Date;

  @Property({ length: 500, nullable: true })
  lastError?: string;

  @Property({ type: 'datetime', length: 3, nullable: true })
  failedAt?: Date;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  constructor(mail: Mail) {
    this.recipient = mail.to;
    this.subject = mail.subject;
    this.text = mail.text;
    this.html = mail.html;
  }
}
