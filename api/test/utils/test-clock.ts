import type { Clock } from '../../src/infra/clock';

/** A clock a test sets and moves: `clock.now` is what the server reads; starts at the real time. */
export interface TestClock {
  read: Clock;
  now: number;
  /** Moves the clock by `ms` (may be negative). */
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  const clock: TestClock = {
    now: start,
    read: () => clock.now,
    advance(ms) {
      clock.now += ms;
    },
  };
  return clock;
}
