import { randomUUID } from 'node:crypto';
import type { ChatService } from '../../modules/chat/chat.service';
import type { MatchService } from '../../modules/matching/match.service';
import type { MediaService } from '../../modules/media/media.service';
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
  ip: string;
  /** Forked per request/operation; reads outside transactions go to replicas. */
  em: Em;
  logger: Logger;
  auth: AuthState;
  refreshCookie: RefreshCookie;
  /** For subscription `subscribe` functions, which run outside resolver instances. */
  services: { matching: MatchService; chat: ChatService; media: MediaService };
}

/**
 * A Context whose request id, EntityManager fork and child logger are made on first use, then kept
 * for the operation. A subscription holds its context for its whole life and most never touch them
 * before an event arrives: made eagerly they cost ~5 KB of heap per idle subscription.
 */
export class LazyContext implements Context {
  readonly ip: string;
  readonly auth: AuthState;
  readonly refreshCookie: RefreshCookie;
  readonly services: Context['services'];
  private id?: string;
  private forked?: Em;
  private child?: Logger;

  constructor(
    fields: Omit<Context, 'requestId' | 'em' | 'logger'>,
    private readonly root: { orm: Orm; logger: Logger },
  ) {
    this.ip = fields.ip;
    this.auth = fields.auth;
    this.refreshCookie = fields.refreshCookie;
    this.services = fields.services;
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
