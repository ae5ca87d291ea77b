import { isTransient, toApiError } from './errors';

/**
 * Reconnect delay in milliseconds for attempt n (0-based): exponential from 500 ms, capped at 30 s,
 * with "equal jitter" (half fixed, half random) so clients dropped together do not return together.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 500 * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Longest wait between two attempts of a request retried after an outage, unless the API said (ms). */
export const MAX_RETRY_WAIT_MS = 8_000;

/**
 * Runs `run` until it settles with something other than a transient failure (NETWORK_ERROR,
 * UNAVAILABLE): waiting `retryAfterMs` when the API said, else the backoff (at most 8 s). Stops
 * early, resolving undefined, once `wanted()` is false (the room was left, the user logged out).
 * Any other error is thrown.
 */
export async function retryWhileTransient<T>(run: () => Promise<T>, wanted: () => boolean): Promise<T | undefined> {
  for (let attempt = 0; wanted(); attempt++) {
    try {
      return await run();
    } catch (err) {
      const error = toApiError(err);
      if (!isTransient(error)) throw err;
      const wait = error.retryAfterMs ?? Math.min(MAX_RETRY_WAIT_MS, backoffMs(attempt));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  return undefined;
}
