import { randomUUID } from 'node:crypto';
import type { Em, Orm } from '../db/orm';
import type { Logger } from '../logger';

/** Who is calling, established once per HTTP request or per WebSocket connection. */
export interface AuthenticatedUser {
  userId: string;
  /** The login session (refresh-token family) the access token belongs to. */
  sessionId: string;
  accessTokenExpiresAt: Date;
}

export interface AuthState {
  user: AuthenticatedUser | null;
  /** Why a presented token was refused (missing tokens leave this empty). */
  error?: string;
}

/** Sets and reads the web app's HttpOnly refresh cookie; a no-op over WebSocket. */
export interface RefreshCookie {
  read(): string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export interface Context {
  requestId: string;
  /**
   * `performance.now()` when the request's body had arrived (HTTP) or the operation's message
   * (WebSocket): the operation deadline (OPERATION_DEADLINE) counts from it, so time spent before
   * execution (checking the session, a busy event loop) is not added on top.
   */
  receivedAt?: number;
  ip: string;
  /** Forked per request/operation; reads outside transactions go to replicas. */
  em: Em;
  logger: Logger;
  auth: AuthState;
  refreshCookie: RefreshCookie;
  /** The event streams subscriptions start from (their `subscribe` functions run outside resolver instances). */
  streams: SubscriptionStreams;
}

/**
 * One function per subscription field, opening the caller's event stream. Empty here: each module
 * adds its own streams by declaration merging (`declare module '.../context'`), and the composition
 * root supplies them all, so TypeScript checks that none is missing.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface SubscriptionStreams {}

/** Checks an access token (never throws): the one authentication both transports share. */
export type Authenticate = (token: string | undefined) => Promise<AuthState>;

/** The signed-in caller's id, in resolvers guarded by `@Authorized()`. */
export function viewerId(ctx: Context): string {
  if (!ctx.auth.user) throw new Error('viewerId() outside an @Authorized() resolver');
  return ctx.auth.user.userId;
}

/**
 * A Context whose request id (unless given), EntityManager fork and child logger are made on first
 * use, then kept for the operation. A subscription holds its context for its whole life and most
 * never touch them before an event arrives: made eagerly they cost ~5 KB of heap per idle
 * subscription; and most requests never touch the EntityManager (their services fork their own).
 */
export class LazyContext implements Context {
  readonly receivedAt?: number;
  readonly ip: string;
  readonly auth: AuthState;
  readonly refreshCookie: RefreshCookie;
  readonly streams: SubscriptionStreams;
  private id?: string;
  private forked?: Em;
  private child?: Logger;

  constructor(
    fields: Omit<Context, 'requestId' | 'em' | 'logger'> & { requestId?: string },
    private readonly root: { orm: Orm; logger: Logger },
  ) {
    this.id = fields.requestId;
    this.receivedAt = fields.receivedAt;
    this.ip = fields.ip;
    this.auth = fields.auth;
    this.refreshCookie = fields.refreshCookie;
    this.streams = fields.streams;
  }

  /** A UUID (randomUUID's string is a ~0.5 KB rope until flattened). */
  get requestId(): string {
    return (this.id ??= randomUUID());
  }

  get em(): Em {
    return (this.forked ??= this.root.orm.em.fork());
  }

  get logger(): Logger {
    return (this.child ??= this.root.logger.child({ requestId: this.requestId }));
  }
}
