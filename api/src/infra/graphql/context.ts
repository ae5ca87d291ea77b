import type { ChatService } from '../../modules/chat/chat.service';
import type { MatchService } from '../../modules/matching/match.service';
import type { MediaService } from '../../modules/media/media.service';
import type { Em } from '../db/orm';
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
