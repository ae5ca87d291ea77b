import { createMemoryPubSub } from './pubsub.memory';
import { merge } from './merge';

describe('merge', () => {
  it('yields what either subscription receives, in arrival order', async () => {
    const pubsub = createMemoryPubSub();
    const a = await pubsub.subscribe<{ n: number }>('a');
    const b = await pubsub.subscribe<{ n: number }>('b');
    const merged = merge(a, b);
    await pubsub.publish('a', { n: 1 });
    expect(await merged.next()).toEqual({ done: false, value: { n: 1 } });
    await pubsub.publish('b', { n: 2 });
    await pubsub.publish('a', { n: 3 });
    expect(await merged.next()).toEqual({ done: false, value: { n: 2 } });
    expect(await merged.next()).toEqual({ done: false, value: { n: 3 } });
    await merged.return?.();
    await pubsub.dispose();
  });

  it('ends, ending the other sources, as soon as one source ends', async () => {
    const pubsub = createMemoryPubSub();
    const a = await pubsub.subscribe<{ n: number }>('a');
    const b = await pubsub.subscribe<{ n: number }>('b');
    const merged = merge(a, b);
    const waiting = merged.next();
    await a.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await b.next()).toEqual({ done: true, value: undefined });
    await pubsub.publish('b', { n: 1 });
    expect(await merged.next()).toEqual({ done: true, value: undefined });
    await pubsub.dispose();
  });

  it('return() ends every source', async () => {
    const pubsub = createMemoryPubSub();
    const a = await pubsub.subscribe<{ n: number }>('a');
    const b = await pubsub.subscribe<{ n: number }>('b');
    const merged = merge(a, b);
    const waiting = merged.next();
    await merged.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await a.next()).toEqual({ done: true, value: undefined });
    expect(await b.next()).toEqual({ done: true, value: undefined });
    await pubsub.dispose();
  });
});
