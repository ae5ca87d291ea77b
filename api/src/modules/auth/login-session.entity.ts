import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { SessionEndReason } from './session-end-reason';

/**
 * One login session (a refresh-token family; refresh-token.port.ts): the store of record, so a
 * session outlives restarts of the server and of Redis. Only token hashes are stored. The table is
 * read and written with plain statements (refresh-token.sql.ts); the entity declares the schema.
 */
@Entity({ tableName: 'login_sessions' })
export class LoginSession {
  /** The family id, also the `sid` claim of its access tokens. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** No foreign key: ending a user's sessions is an explicit step of account deletion. */
  @Property({ length: 64 })
  @Index()
  userId!: string;

  /** SHA-256 of the refresh token that rotates next. */
  @Property({ length: 64 })
  currentHash!: string;

  /** Absolute end of the session: rotation never extends it. */
  @Property({ type: 'datetime', length: 3 })
  expiresAt!: Date;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();
}

/** A refresh token already rotated: presenting it again is a replay (or, within the leeway, a race). */
@Entity({ tableName: 'rotated_refresh_tokens' })
export class RotatedRefreshToken {
  @PrimaryKey({ length: 64 })
  tokenHash!: string;

  @ManyToOne(() => LoginSession, { ref: true, deleteRule: 'cascade', index: true })
  session!: Ref<LoginSession>;

  @Property({ type: 'datetime', length: 3 })
  rotatedAt!: Date;
}

/**
 * A login session that ended before its time, and why: its `login_sessions` row is gone, this one
 * lets a later refresh say why it is refused. No user id (nothing personal outlives an account); a
 * row is purged once the session would have expired anyway.
 */
@Entity({ tableName: 'ended_login_sessions' })
export class EndedLoginSession {
  /** The family id of the ended session. */
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** A string column rather than an enum: MikroORM 6 misreads SQLite enum checks as drift. */
  @Property({ type: 'string', length: 20 })
  reason!: SessionEndReason;

  @Property({ type: 'datetime', length: 3 })
  endedAt!: Date;

  /** The session's own end; the row is purged after it. */
  @Property({ type: 'datetime', length: 3 })
  @Index()
  expiresAt!: Date;
}
