/**
 * A fixed-window budget: `points` per `durationMs`, then optionally blocked for `blockDurationMs`.
 * The adapters (rate-limiter-flexible) count whole seconds: both durations are rounded up to whole
 * seconds (200 ms -> 1 s, 1500 ms -> 2 s), and a non-zero `blockDurationMs` shorter than the window
 * is refused (RangeError from `create`).
 */
export interface RateLimitPolicy {
  /** Distinguishes limiters sharing one backend; part of every key. [a-z0-9:_-] */
  name: string;
  points: number;
  durationMs: number;
  /** Once the budget is exhausted, keep rejecting this long (from the rejecting call). @default 0 */
  blockDurationMs?: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Points left in the current window (0 when rejected). */
  remaining: number;
  /** Milliseconds until a call would be allowed again; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * One named budget per key (an account, an IP, a user id), shared by every instance using the same
 * backend. Each call is atomic on the backend: N concurrent `consume` calls against a budget of P
 * points allow exactly min(N, P) of them.
 */
export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  /** Spends `points` (default 1) and says whether the call is within budget. A rejected call still counts. */
  consume(key: string, points?: number): Promise<RateLimitResult>;
  /** Reads the budget without spending it: `allowed` is false when the key is exhausted or blocked. */
  peek(key: string): Promise<RateLimitResult>;
  /** Forgets the key (e.g. the account's failure count after a successful login). Idempotent. */
  reset(key: string): Promise<void>;
}

/** Builds limiters on one backend (Redis or process memory). */
export interface RateLimiterFactory {
  create(policy: RateLimitPolicy): RateLimiter;
  dispose(): Promise<void>;
}
