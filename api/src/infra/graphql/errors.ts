import { GraphQLError } from 'graphql';

/** The codes a client can act on; anything else reaching a client is INTERNAL_SERVER_ERROR. */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  /** A backend is down or too slow; the request did not take effect unless the answer says otherwise. */
  UNAVAILABLE = 'UNAVAILABLE',
}

/** An expected failure whose message is safe to show to the client. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class BadUserInputError extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
  }
}

export class UnauthenticatedError extends AppError {
  /** @param extensions e.g. `{ reason: 'PASSWORD_RESET' }` when a refresh names a session that ended */
  constructor(
    message = 'Authentication required: send a valid access token',
    extensions: Record<string, unknown> = {},
  ) {
    super(ErrorCode.UNAUTHENTICATED, message, extensions);
  }
}

export class ForbiddenError extends AppError {
  /** @param extensions e.g. `{ reason: 'ACCOUNT_LOCKED' }` for clients that act on the cause */
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.FORBIDDEN, message, extensions);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(ErrorCode.NOT_FOUND, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterMs: number) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  }
}

/**
 * A backend (database, Redis) is down or did not answer within its deadline. The request did not take
 * effect unless the error says otherwise; `retryAfterMs` tells the client when to retry (sends are
 * retried with the same clientMessageId, which makes the retry idempotent).
 */
export class UnavailableError extends AppError {
  constructor(
    message = 'Service temporarily unavailable; retry shortly',
    retryAfterMs = 1000,
    extensions: Record<string, unknown> = {},
  ) {
    super(ErrorCode.UNAVAILABLE, message, { ...extensions, retryAfterMs: Math.max(0, Math.round(retryAfterMs)) });
  }
}
