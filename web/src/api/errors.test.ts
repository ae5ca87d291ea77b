import { describe, expect, it } from '@jest/globals';
import { backoffMs } from './backoff';
import { toApiError } from './errors';

describe('reading API errors', () => {
  it('takes code, fields without the input prefix, reason and retryAfterSeconds', () => {
    const e = toApiError({
      graphQLErrors: [
        {
          message: 'Invalid input',
          extensions: {
            code: 'BAD_USER_INPUT',
            fields: [{ field: 'input.email', message: 'x' }, { field: 'input.password' }],
          },
        },
      ],
    });
    expect(e).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['email', 'password'], reason: null });
    expect(
      toApiError({ graphQLErrors: [{ message: 'm', extensions: { code: 'BAD_USER_INPUT', field: 'emailCode' } }] })
        .fields,
    ).toEqual(['emailCode']);
    expect(
      toApiError({ errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 7 } }] })
        .retryAfterSeconds,
    ).toBe(7);
    expect(
      toApiError({
        graphQLErrors: [{ message: 'locked', extensions: { code: 'FORBIDDEN', reason: 'ACCOUNT_LOCKED' } }],
      }).reason,
    ).toBe('ACCOUNT_LOCKED');
  });

  it('reads an error body carried by an HTTP failure, and calls anything else a network error', () => {
    expect(
      toApiError({
        graphQLErrors: [],
        networkError: { result: { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] } },
      }).code,
    ).toBe('UNAUTHENTICATED');
    expect(toApiError(new Error('Failed to fetch'))).toMatchObject({
      code: 'NETWORK_ERROR',
      message: 'Failed to fetch',
    });
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially from 0.5 s, is capped at 30 s and keeps half of it random', () => {
    expect(backoffMs(0, () => 0)).toBe(250);
    expect(backoffMs(0, () => 1)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(4000);
    expect(backoffMs(20, () => 0)).toBe(15_000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });
});
