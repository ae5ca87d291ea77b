// The run's headline numbers by stable key (bench/results.json), and the before -> after view of
// them against an earlier run's results.json (`--before=<path>`).
import { readFileSync } from 'node:fs';
import { kb, ms, num, pct } from './report.mjs';

/**
 * How a number reads: 'share' 0.25 is 25 %, 'times' a multiple (3.1x), 'ms' milliseconds, 'bytes'
 * (shown in KB), 'perSecond' a rate (req/s, ops/s, msg/s), 'count' a plain number.
 * @typedef {'share' | 'times' | 'ms' | 'bytes' | 'perSecond' | 'count'} Unit
 * @typedef {{ value: number, unit: Unit }} Metric
 * @typedef {Record<string, Metric>} Metrics by key, e.g. `me.ratio`, `latency.capacity.cpuMsPerSend`
 */

/**
 * An earlier run to compare with: where its results.json came from and its numbers.
 * @typedef {{ path: string, run: { commit?: string, date?: string }, metrics: Metrics }} Before
 */

/** @param {Metric} metric */
export function formatMetric({ value, unit }) {
  switch (unit) {
    case 'share':
      return pct(value);
    case 'times':
      return `${num(value)}x`;
    case 'ms':
      return ms(value);
    case 'bytes':
      return kb(value);
    case 'perSecond':
      return `${num(value)}/s`;
    case 'count':
      return num(value);
  }
}

/**
 * What the benchmarks record their headline numbers in (one per run, in the context).
 * @typedef {object} MetricsRecorder
 * @property {(key: string, value: number, unit: Unit) => string} note records `value` under `key`
 *   (a number that is not finite is not recorded) and returns it formatted, as "before -> after" when
 *   the earlier run has the key in the same unit
 * @property {Metrics} recorded
 * @property {Before | null} before
 */

/**
 * @param {Before | null} before
 * @returns {MetricsRecorder}
 */
export function createMetrics(before) {
  /** @type {Metrics} */
  const recorded = {};
  return {
    recorded,
    before,
    note(key, value, unit) {
      const metric = { value, unit };
      if (!Number.isFinite(value)) return formatMetric(metric);
      recorded[key] = metric;
      const was = before?.metrics[key];
      return was && was.unit === unit ? `${formatMetric(was)} -> ${formatMetric(metric)}` : formatMetric(metric);
    },
  };
}

/**
 * Reads an earlier run's results.json; throws when it is not one.
 * @param {string} path
 * @returns {Before}
 */
export function readBefore(path) {
  /** @type {{ run?: Before['run'], metrics?: Metrics | null }} the file's JSON (results.mjs' ResultsFile), checked below */
  const file = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof file.metrics !== 'object' || !file.metrics)
    throw new Error(`${path} is not a bench results.json (it has no "metrics" object)`);
  return { path, run: file.run ?? {}, metrics: file.metrics };
}
