/** Errors of the deadlines every backend call has (issue J); infra/graphql/unavailable.ts maps them. */

/**
 * A statement that did not answer within its deadline. Its connection was destroyed, so an open
 * transaction cannot commit later, except when the statement was the COMMIT itself: then whether it
 * took effect is unknown (`commitSent`).
 */
export class StatementTimeoutError extends Error {
  override name = 'StatementTimeoutError';
  constructor(
    readonly timeoutMs: number,
    readonly commitSent: boolean,
  ) {
    super(`database statement did not answer within ${timeoutMs} ms`);
  }
}

/** An operation that did not finish within its overall deadline (operation-deadline.ts). */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
  constructor(
    readonly deadlineMs: number,
    /** Whether the operation may have written something before it was given up. */
    readonly mayHaveTakenEffect: boolean,
  ) {
    super(`operation did not finish within ${deadlineMs} ms`);
  }
}
