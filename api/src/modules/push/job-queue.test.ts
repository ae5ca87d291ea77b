import { JobQueue } from './job-queue';

/** A job that runs until `finish()` is called; `started` tells whether it began. */
function heldJob() {
  let finish!: () => void;
  const job = { started: false, finish: () => finish(), run: () => Promise.resolve() };
  job.run = () => {
    job.started = true;
    return new Promise<void>((resolve) => (finish = resolve));
  };
  return job;
}

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs at once, the others in order as running ones finish', async () => {
    const queue = new JobQueue({ concurrency: 2, maxQueued: 10, onError: () => undefined });
    const jobs = [heldJob(), heldJob(), heldJob()];
    for (const job of jobs) expect(queue.add(() => job.run())).toBe(true);
    expect(jobs.map((j) => j.started)).toEqual([true, true, false]);
    jobs[1]!.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(jobs[2]!.started).toBe(true);
    jobs[0]!.finish();
    jobs[2]!.finish();
    await queue.idle();
  });

  it('refuses jobs beyond `maxQueued` waiting ones instead of growing', async () => {
    const queue = new JobQueue({ concurrency: 1, maxQueued: 2, onError: () => undefined });
    const running = heldJob();
    queue.add(() => running.run());
    expect(queue.add(() => Promise.resolve())).toBe(true);
    expect(queue.add(() => Promise.resolve())).toBe(true);
    expect(queue.add(() => Promise.resolve())).toBe(false);
    running.finish();
    await queue.idle();
    expect(queue.add(() => Promise.resolve())).toBe(true);
    await queue.idle();
  });

  it('reports a job that throws and goes on with the next', async () => {
    const errors: unknown[] = [];
    const queue = new JobQueue({ concurrency: 1, onError: (err) => errors.push(err) });
    let ran = false;
    queue.add(() => Promise.reject(new Error('push service down')));
    queue.add(async () => void (ran = true));
    await queue.idle();
    expect(errors).toEqual([new Error('push service down')]);
    expect(ran).toBe(true);
  });
});
