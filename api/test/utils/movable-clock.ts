import type { Clock } from '../../src/infra/clock';

/** A clock that runs with real time but can be moved forward (`read` for startTestServer's `clock`). */
export function movableClock(): { read: Clock; advance(ms: number): void } {
  let offsetMs = 0;
  return {
    read: () => Date.now() + offsetMs,
    advance: (ms: number) => void (offsetMs += ms),
  };
}
