/**
 * Lets one call through per `intervalMs` (milliseconds): typing notices go out at most this often
 * however fast the user types. `now` is injectable for tests.
 */
export function createThrottle(intervalMs: number, now: () => number = Date.now): () => boolean {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last < intervalMs) return false;
    last = t;
    return true;
  };
}
