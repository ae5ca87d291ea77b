/** A clock that runs with real time but can be moved forward (`now` for startTestServer). */
export function movableClock(): { now: () => Date; advance(ms: number): void } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms: number) => void (offsetMs += ms),
  };
}
