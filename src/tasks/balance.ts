import type { Random } from '../core/random.js';
import type { LabelledExample } from './assemble.js';

/**
 * Equal label counts within every stratum: in each stratum, every label in `labels` keeps as
 * many examples as the stratum's rarest one has (a seeded sample, kept in original order);
 * a stratum missing any label keeps nothing, and examples with other labels are left out.
 * With one stratum this balances the classes (majority downsampled); with sentence length as
 * the stratum it makes the label independent of length, so length alone predicts nothing.
 * The counts kept are a function of the input counts only, whatever the seed.
 */
export function balanceWithinStrata<T extends LabelledExample>(examples: readonly T[], labels: readonly string[], stratumOf: (ex: T) => string | number, random: Random): T[] {
  const groups = new Map<string | number, Map<string, number[]>>(); // stratum → label → example indices
  examples.forEach((ex, i) => {
    if (!labels.includes(ex.label)) return;
    const stratum = stratumOf(ex);
    let byLabel = groups.get(stratum);
    if (!byLabel) groups.set(stratum, (byLabel = new Map()));
    let indices = byLabel.get(ex.label);
    if (!indices) byLabel.set(ex.label, (indices = []));
    indices.push(i);
  });
  const keep: number[] = [];
  for (const byLabel of groups.values()) {
    const k = Math.min(...labels.map((l) => byLabel.get(l)?.length ?? 0));
    // Labels in `labels` order, so the draws do not depend on which label a stratum met first.
    for (const l of labels) if (k > 0) keep.push(...random.shuffle([...byLabel.get(l)!]).slice(0, k));
  }
  return keep.sort((a, b) => a - b).map((i) => examples[i]);
}
