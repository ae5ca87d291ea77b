import { randomUUID } from 'node:crypto';
import type { Em } from '../../infra/db/orm';
import type { AuthenticatedUser, AuthState } from '../../infra/graphql/context';
import { UnauthenticatedError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import type { CredentialsService, UserFields } from '../users';
import { SESSION_REVOKED_TOPIC, type SessionRevokedEvent } from './auth.events';
import type { RefreshTokenStore } from './refresh-token.port';
import { SessionEndReason } from './session-end-reason';
import type { SessionLiveness } from './session-liveness';
import { refreshTokens, type AccessTokens } from './tokens';

export interface SessionServiceDeps {
  accessTokens: AccessTokens;
  refreshStore: RefreshTokenStore;
  /** The per-instance memory of live sessions in front of `refreshStore.isActive`. */
  liveness: SessionLiveness;
  credentials: Pick<CredentialsService, 'byId'>;
  pubsub: PubSub;
  logger: Logger;
  refreshTokenTtlMs: number;
  refreshReuseLeewayMs: number;
}

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: UserFields;
}

/**
 * How long the session check waits for the database before it trusts the signed token: the request
 * still has its own deadline to meet (OPERATION_DEADLINE).
 */
const SESSION_CHECK_DEADLINE_MS = 500;

/** A refused refresh of a session that ended, saying why (`extensions.reason`). */
const sessionEnded = (reason: SessionEndReason) =>
  new UnauthenticatedError(`The session has ended (${reason}); log in again`, { reason });

/** Login sessions: access tokens, refresh rotation, logout, revocation on every instance. */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  /** Rotates a refresh token. A replayed (already rotated) token ends its whole session. */
  async refresh(em: Em, presented: string): Promise<Session> {
    const familyId = refreshTokens.familyOf(presented);
    if (!familyId) throw new UnauthenticatedError('Invalid or expired refresh token');
    const next = refreshTokens.issue(familyId);
    const result = await this.deps.refreshStore.rotate(
      familyId,
      refreshTokens.hash(presented),
      next.hash,
      new Date(),
      this.deps.refreshReuseLeewayMs,
    );
    switch (result.status) {
      case 'rotated': {
        const user = await this.deps.credentials.byId(em, result.userId);
        if (!user) {
          await this.deps.refreshStore.revokeFamily(familyId, SessionEndReason.ACCOUNT_DELETED);
          this.deps.liveness.revoke([familyId]);
          throw sessionEnded(SessionEndReason.ACCOUNT_DELETED);
        }
        const access = this.deps.accessTokens.sign(user.id, familyId);
        return {
          accessToken: access.token,
          accessTokenExpiresAt: access.expiresAt,
          refreshToken: next.token,
          refreshTokenExpiresAt: result.expiresAt,
          user,
        };
      }
      case 'stale':
        throw new UnauthenticatedError('Refresh token was just rotated by a parallel request; use the newest one');
      case 'reused':
        this.deps.logger.warn(
          { audit: 'refresh_token_reuse', sessionId: familyId },
          'refresh token reuse: session revoked',
        );
        await this.announceRevoked({ sessionIds: [familyId], reason: SessionEndReason.SESSION_REVOKED });
        throw new UnauthenticatedError('Refresh token was already used; the session has been revoked', {
          reason: SessionEndReason.SESSION_REVOKED,
        });
      case 'ended':
        throw sessionEnded(result.reason);
      case 'invalid':
        throw new UnauthenticatedError('Invalid or expired refresh token');
    }
  }

  /**
   * Ends the session named by the refresh token, or else the caller's current session.
   * Returns false when there was no live session to end.
   */
  async logOut(presented: string | undefined, caller: AuthenticatedUser | null): Promise<boolean> {
    const familyId = (presented && refreshTokens.familyOf(presented)) || caller?.sessionId;
    if (!familyId) return false;
    if (!(await this.deps.refreshStore.revokeFamily(familyId, SessionEndReason.LOGGED_OUT))) return false;
    await this.announceRevoked({ sessionIds: [familyId], reason: SessionEndReason.LOGGED_OUT });
    return true;
  }

  /**
   * Checks an access token, including that its session is still live (as this instance last heard
   * within the liveness cache's TTL; see SessionLiveness). Never throws.
   */
  async authenticate(token: string | undefined): Promise<AuthState> {
    if (!token) return { user: null };
    const claims = this.deps.accessTokens.verify(token);
    if (!claims) return { user: null, error: 'Access token is invalid or expired' };
    if (!(await this.isLive(claims.sid))) return { user: null, error: 'Session has ended; log in again' };
    return { user: { userId: claims.sub, sessionId: claims.sid, accessTokenExpiresAt: new Date(claims.exp * 1000) } };
  }

  /**
   * The session check. When the database cannot answer (down or past its deadline), the signed,
   * unexpired token is trusted for now rather than logging anybody out over an outage: a session
   * ended meanwhile is still refused once its revocation event reaches this instance, and the
   * request itself fails with UNAVAILABLE if it needs the database.
   */
  private async isLive(sessionId: string): Promise<boolean> {
    const known = this.deps.liveness.known(sessionId);
    if (known !== undefined) return known;
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>(
      (resolve) => (timer = setTimeout(() => resolve('slow'), SESSION_CHECK_DEADLINE_MS)),
    );
    try {
      const live = await Promise.race([this.deps.liveness.isLive(sessionId), slow]);
      if (live !== 'slow') return live;
      this.deps.logger.warn({ sessionId }, 'session check too slow: trusting the access token');
      return true;
    } catch (err) {
      this.deps.logger.warn({ err, sessionId }, 'session check unavailable: trusting the access token');
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends every login session of the user on every instance (their sockets close with 4401). */
  async endAllSessions(userId: string, reason: SessionRevokedEvent['reason']): Promise<void> {
    const sessionIds = await this.deps.refreshStore.revokeAllForUser(userId, reason);
    if (sessionIds.length > 0) await this.announceRevoked({ sessionIds, reason });
  }

  /** Starts a new login session for an already authenticated user. */
  async createSession(user: UserFields): Promise<Session> {
    const familyId = randomUUID();
    const refresh = refreshTokens.issue(familyId);
    const refreshTokenExpiresAt = new Date(Date.now() + this.deps.refreshTokenTtlMs);
    await this.deps.refreshStore.createFamily({
      familyId,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: refreshTokenExpiresAt,
    });
    const access = this.deps.accessTokens.sign(user.id, familyId);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt,
      user,
    };
  }

  /** Refused here at once, then on every instance as the event arrives. */
  private announceRevoked(event: SessionRevokedEvent): Promise<void> {
    this.deps.liveness.revoke(event.sessionIds);
    return this.deps.pubsub.publish(SESSION_REVOKED_TOPIC, event);
  }
}
