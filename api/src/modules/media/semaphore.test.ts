import { createSemaphore } from './semaphore';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('createSemaphore', () => {
  it('runs at most `limit` tasks at once, in arrival order, and frees the slot when a task fails', async () => {
    const run = createSemaphore(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = gates.map((gate, i) =>
      run(async () => {
        started.push(i);
        await gate.promise;
        if (i === 0) throw new Error('task 0 failed');
        return i;
      }).catch((err: Error) => err.message),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[0]!.resolve();
    expect(await results[0]).toBe('task 0 failed');
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(results)).toEqual(['task 0 failed', 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });
});
