// Markdown helpers and the shape every benchmark returns.
import { median } from './util.mjs';

/**
 * Formats a number for a table: integers with thousands separators, small values with 2-3 digits.
 * @param {unknown} x a number (anything else is printed as is; undefined, null and NaN as 'n/a')
 * @param {number} [digits]
 */
export function num(x, digits) {
  if (x === undefined || x === null || Number.isNaN(x)) return 'n/a';
  if (typeof x !== 'number') return String(x);
  if (digits !== undefined)
    return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** @param {number} x a share (0.5 is '50.0 %') */
export const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');
/** @param {number | undefined} x */
export const ms = (x) => (Number.isFinite(x) ? `${num(x)} ms` : 'n/a');
/** @param {number} bytes */
export const kb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : 'n/a');
/** @param {number} bytes */
export const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MB` : 'n/a');

/**
 * @param {readonly string[]} headers
 * @param {readonly (readonly unknown[])[]} rows
 */
export function table(headers, rows) {
  /** @param {readonly unknown[]} cells */
  const line = (cells) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "met" / "MISSED" for a target. */
/** @param {boolean} met */
export const verdict = (met) => (met ? 'met' : '**MISSED**');

/**
 * CPU of each measured process as "name 93 %" (percent of one core over the phase).
 * @param {Record<string, { percent: number }> | undefined} cpu (a CpuUsage's wallSeconds is skipped)
 */
export function cpuLine(cpu) {
  if (!cpu) return 'n/a';
  return Object.entries(cpu)
    .filter(([k]) => k !== 'wallSeconds')
    .map(([k, v]) => `${k} ${Math.round(v.percent)} %`)
    .join(', ');
}

/**
 * Median CPU percent per process over several phases.
 * @param {readonly import('./util.mjs').CpuUsage[]} cpus
 * @returns {Record<string, { percent: number }>}
 */
export function medianCpu(cpus) {
  const names = Object.keys(cpus[0] ?? {}).filter((k) => k !== 'wallSeconds');
  return Object.fromEntries(names.map((n) => [n, { percent: median(cpus.map((c) => c[n]?.percent)) }]));
}

/** @typedef {{ name: string, value: string, met: boolean }} Target */

/**
 * What every benchmark returns: a markdown section, the targets with their verdicts, and the
 * correctness counters that quick mode checks (each must be 0).
 * @typedef {object} Section
 * @property {string} id
 * @property {string} title
 * @property {string} markdown
 * @property {Target[]} targets
 * @property {Record<string, number>} counters
 */

/**
 * @param {{ id: string, title: string, markdown: string, targets?: Target[], counters?: Record<string, number> }} parts
 * @returns {Section}
 */
export function section({ id, title, markdown, targets = [], counters = {} }) {
  return { id, title, markdown, targets, counters };
}
