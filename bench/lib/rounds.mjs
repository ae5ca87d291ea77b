// Baseline and subject alternate within one run (A B, then B A, ...), each phase with the CPU of
// the processes involved, so ratios compare phases that saw the same machine.
import { cpuMeter } from './util.mjs';

/** @typedef {Record<string, number | undefined>} Pids process ids by label (undefined ones are left out) */

/**
 * One side of the comparison, named `N`, whose phase resolves with `R`. `before` and `after` run
 * outside the measured phase; `after` may return fields `E` to add to the round's result.
 * @template {string} N
 * @template R
 * @template {object} E
 * @typedef {{
 *   name: N,
 *   pids: Pids | (() => Pids),
 *   run(round: number): Promise<R>,
 *   before?(round: number): Promise<void>,
 *   after?(round: number, result: R): Promise<E>,
 *   summary?(result: R): string,
 * }} Variant
 */

/** @typedef {Variant<string, unknown, object>} AnyVariant */

/**
 * One round's result of variant `V`: what its phase resolved with, with what `after` returned
 * spread over it, and the CPU.
 * @template {AnyVariant} V
 * @typedef {V extends Variant<string, infer R, infer E>
 *   ? Omit<R, keyof E> & E & { cpu: import('./util.mjs').CpuUsage }
 *   : never} RoundOf
 */

/**
 * Declares one variant (its result type is inferred from `run`, for `summary` and `after`).
 * @template {string} const N
 * @template R
 * @template {object} [E={}]
 * @param {Variant<N, R, E>} variant
 * @returns {Variant<N, R, E>}
 */
export const variant = (variant) => variant;

/**
 * Runs `rounds` rounds of every variant; returns { [name]: [{ ...result, ...extra, cpu }] } in
 * round order.
 * @template {AnyVariant} V
 * @param {number} rounds
 * @param {readonly V[]} variants
 * @param {(line: string) => void} [log]
 * @returns {Promise<{ [K in V as K['name']]: RoundOf<K>[] }>}
 */
export async function alternate(rounds, variants, log = () => undefined) {
  /** @type {Record<string, object[]>} */
  const out = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      await v.before?.(r);
      const meter = cpuMeter(typeof v.pids === 'function' ? v.pids() : v.pids);
      meter.start();
      const result = await v.run(r);
      const cpu = meter.stop();
      const extra = (await v.after?.(r, result)) ?? {};
      out[v.name]?.push({ .../** @type {object} */ (result), ...extra, cpu });
      log(`  round ${r + 1}/${rounds} ${v.name}: ${v.summary ? v.summary(result) : ''}`);
    }
  }
  // One list per variant name, each entry a RoundOf that variant.
  return /** @type {{ [K in V as K['name']]: RoundOf<K>[] }} */ (out);
}
