/**
 * Reconnect delay in milliseconds for attempt n (0-based): exponential from 500 ms, capped at 30 s,
 * with "equal jitter" (half fixed, half random) so clients dropped together do not return together.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 500 * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
