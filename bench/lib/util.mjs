// Small helpers shared by the orchestrator and the workers: ports, waiting, statistics, /proc CPU.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP port nobody listens on right now (the kernel picks it).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Polls `check` until it returns a truthy value (returned), or throws after `timeoutMs`.
 * @template T
 * @param {() => T | Promise<T>} check
 * @param {{ timeoutMs?: number, intervalMs?: number, what?: string }} [options] times in milliseconds
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(check, { timeoutMs = 30_000, intervalMs = 100, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  /** @type {unknown} */
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`,
      );
    await sleep(intervalMs);
  }
}

/**
 * p-th percentile (0..100) of an unsorted list, nearest-rank; NaN when empty.
 * @param {ArrayLike<number> & Iterable<number>} values
 * @param {number} p
 * @returns {number}
 */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return /** @type {number} rank is within 0..length-1 */ (sorted[rank]);
}

/**
 * The median of the finite values (undefined and NaN are skipped); NaN when there are none.
 * @param {readonly (number | undefined)[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = values
    .filter(/** @type {(v: number | undefined) => v is number} */ ((v) => v !== undefined && Number.isFinite(v)))
    .sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  const at = (/** @type {number} */ i) => /** @type {number} i is within 0..length-1 */ (sorted[i]);
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** @param {readonly number[]} values */
export const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);

/**
 * @typedef {{ n: number, p50: number, p90: number, p99: number, max: number }} LatencySummary
 */

/**
 * Latency summary in ms from a list of samples in ms.
 * @param {ArrayLike<number> & Iterable<number>} samples
 * @returns {LatencySummary}
 */
export function latencySummary(samples) {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * User + system CPU seconds a process has used so far (0 when it is gone).
 * @param {number} pid
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) ... utime(11) stime(12)
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * Resident set size of a process, in bytes.
 * @param {number} pid
 */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Open file descriptors of a process.
 * @param {number} pid
 */
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/**
 * Measures the CPU each named process uses between `start()` and `stop()`: seconds and percent of
 * one core over the wall time.
 * @param {Record<string, number | undefined>} processes pids by name (those undefined or 0 are left out)
 */
export function cpuMeter(processes) {
  const entries = /** @type {[string, number][]} */ (Object.entries(processes).filter(([, pid]) => pid));
  let t0 = 0;
  /** @type {Record<string, number>} */
  let before = {};
  return {
    start() {
      t0 = performance.now();
      before = Object.fromEntries(entries.map(([name, pid]) => [name, cpuSeconds(pid)]));
    },
    /** @returns {CpuUsage} */
    stop() {
      const wall = (performance.now() - t0) / 1000;
      /** @type {Record<string, ProcessCpu>} */
      const processes = {};
      for (const [name, pid] of entries) {
        const used = cpuSeconds(pid) - (before[name] ?? 0);
        processes[name] = { seconds: used, percent: (100 * used) / wall };
      }
      // wallSeconds sits beside the per-process entries (one flat object, as the reports read it).
      return /** @type {CpuUsage} */ ({ wallSeconds: wall, ...processes });
    },
  };
}

/**
 * @typedef {{ seconds: number, percent: number }} ProcessCpu percent: of one core over the wall time
 * @typedef {Record<string, ProcessCpu> & { wallSeconds: number }} CpuUsage CPU per process name,
 *   beside the phase's wall time
 */

/**
 * Runs `fn` over `items` with at most `limit` in flight.
 * @template T
 * @param {readonly T[]} items
 * @param {number} limit
 * @param {(item: T, index: number) => unknown} fn
 */
export async function pool(items, limit, fn) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(/** @type {T} i < items.length */ (items[i]), i);
    }
  });
  await Promise.all(runners);
}

/**
 * @param {number} x
 * @param {number} [digits]
 */
export const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
