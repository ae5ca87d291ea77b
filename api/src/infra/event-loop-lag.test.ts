import { EventLoopLag } from './event-loop-lag';

const busyFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const turns = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventLoopLag', () => {
  let lag: EventLoopLag;
  beforeEach(() => (lag = new EventLoopLag(10)));
  afterEach(() => lag.stop());

  it('reports a loop blocked right now, before its timer could fire', async () => {
    await turns(30);
    busyFor(300);
    expect(lag.lagMs()).toBeGreaterThanOrEqual(280);
  });

  it('reports how late the last tick fired once the loop is free, until ticks are on time again', async () => {
    await turns(30);
    busyFor(300);
    await turns(0); // the late tick fires
    expect(lag.lagMs()).toBeGreaterThanOrEqual(250);
    await turns(100);
    expect(lag.lagMs()).toBeLessThan(250);
  });
});
