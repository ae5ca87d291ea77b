import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Pids = {
  pid?: unknown;
  process?: { pid?: unknown };
  primary?: { pid?: unknown };
  replica?: { pid?: unknown };
  nodes?: { pid?: unknown }[];
};

/** The pids a handle holds now (a restarted Redis has a new one): its own, its child's, a pair's two, a cluster's nodes. */
const pidsOf = (thing: unknown): number[] => {
  const t = (thing ?? {}) as Pids;
  return [t.pid, t.process?.pid, t.primary?.pid, t.replica?.pid, ...(t.nodes ?? []).map((n) => n.pid)].filter(
    (p): p is number => typeof p === 'number' && p > 0,
  );
};

/**
 * A temporary directory plus every cleanup step registered while starting things in it, run in
 * reverse order by `dispose()` (each step runs even when an earlier one failed), then the
 * directory is deleted. Register a process right after it starts, so a failing `beforeAll`
 * still leaves nothing behind. Should the worker exit before `dispose()` ran (a crash, a forced
 * exit), the registered processes are SIGKILLed and the directory deleted on its way out.
 */
export class TopologyScope {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'randchat-topo-'));
  private readonly steps: (() => Promise<unknown> | unknown)[] = [];
  private readonly things: unknown[] = [];
  private readonly onExit = () => {
    for (const pid of this.things.flatMap(pidsOf)) {
      try {
        process.kill(pid, 'SIGCONT'); // a test may have frozen it
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  };

  constructor() {
    // mkdtemp makes it 0700; nginx workers and mariadbd run as other users and must get inside.
    chmodSync(this.dir, 0o755);
    process.once('exit', this.onExit);
  }

  /** Registers `stop` and returns `thing`, e.g. `scope.add(await startRedis(...), (r) => r.stop())`. */
  add<T>(thing: T, stop: (thing: T) => Promise<unknown> | unknown): T {
    this.things.push(thing);
    this.steps.push(() => stop(thing));
    return thing;
  }

  /** `add` for things started concurrently: registers every one that started, then throws the first failure. */
  async addAll<T extends readonly unknown[]>(
    starting: { [K in keyof T]: Promise<T[K]> },
    stop: (thing: T[number]) => Promise<unknown> | unknown,
  ): Promise<T> {
    const settled = await Promise.allSettled(starting as readonly Promise<T[number]>[]);
    for (const s of settled) if (s.status === 'fulfilled') this.add(s.value, stop);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T[number]>).value) as unknown as T;
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    this.things.length = 0;
    process.removeListener('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  }
}
