export interface WaitForOptions {
  /** Gives up after this many milliseconds. @default 5000 */
  timeoutMs?: number;
  /** Milliseconds between two checks. @default 20 */
  intervalMs?: number;
  /** The error message on deadline; say what was expected. @default 'condition was not met' */
  message?: string;
}

/** Resolves once `predicate` returns true; throws `message` when `timeoutMs` passes first. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 5000, intervalMs = 20, message = 'condition was not met' }: WaitForOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() >= deadline) throw new Error(`waitFor: ${message} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
