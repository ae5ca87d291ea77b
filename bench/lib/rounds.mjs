// Baseline and subject alternate within one run (A B, then B A, ...), each phase with the CPU of
// the processes involved, so ratios compare phases that saw the same machine.
import { cpuMeter } from './util.mjs';

/**
 * variants: [{ name, pids: { label: pid }, run: (round) => Promise<result>, before?, after? }]
 * (`before` and `after` run outside the measured phase; `after` may return fields to add). Returns
 * { [name]: [{ ...result, cpu }] } in round order.
 */
export async function alternate(rounds, variants, log = () => undefined) {
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
      out[v.name].push({ ...result, ...extra, cpu });
      log(`  round ${r + 1}/${rounds} ${v.name}: ${v.summary ? v.summary(result) : ''}`);
    }
  }
  return out;
}
