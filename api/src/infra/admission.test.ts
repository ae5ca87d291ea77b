import { Admission } from './admission';
import { UnavailableError } from './graphql/errors';

/** A promise the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Admission', () => {
  it('runs at most `limit` at once and refuses the rest at once with UNAVAILABLE and a retryAfterMs', async () => {
    const admission = new Admission(2);
    const [one, two] = [deferred<string>(), deferred<string>()];
    const running = [admission.run(() => one.promise), admission.run(() => two.promise)];
    let ran = false;
    const refused = admission.run(async () => {
      ran = true;
      return 'three';
    });
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toMatchObject({
      extensions: { code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) },
    });
    expect(ran).toBe(false);
    one.resolve('one');
    two.resolve('two');
    expect(await Promise.all(running)).toEqual(['one', 'two']);
  });

  it('frees a place when a call ends, whether it succeeded or failed', async () => {
    const admission = new Admission(1);
    const first = deferred();
    const running = admission.run(() => first.promise);
    await expect(admission.run(async () => 'x')).rejects.toBeInstanceOf(UnavailableError);
    first.reject(new Error('database down'));
    await expect(running).rejects.toThrow('database down');
    expect(await admission.run(async () => 'admitted')).toBe('admitted');
  });

  it('needs a positive whole limit', () => {
    expect(() => new Admission(0)).toThrow(RangeError);
    expect(() => new Admission(1.5)).toThrow(RangeError);
  });
});
