import { Random } from '../core/random.js';
import { selectRows, type Matrix } from '../core/activations.js';
import { createProbe } from '../probe/create.js';
import { selectLabels } from '../probe/standardize.js';
import type { Labels, ProbeOptions } from '../probe/types.js';

/** Block boundaries of Voita & Titov (2020), as fractions of the training data. */
export const MDL_BLOCK_FRACTIONS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.0625, 0.125, 0.25, 0.5, 1];

export interface OnlineCode {
  bits: number; // online codelength of the training labels
  uniformBits: number; // n·log2(classes)
  compression: number; // uniformBits / bits
}

/**
 * Online (prequential) codelength of the labels given the features (Voita & Titov 2020): rows in
 * a seeded random order; the first block is sent with the uniform code; every later block is
 * sent with the probabilities of a probe trained on all blocks before it.
 *
 * λ is a fixed prior, not re-tuned per block: `options.l2` is the strength for `n` rows and a
 * block of m rows gets λ·n/m, i.e. the same penalty on the summed loss (sklearn's C stays fixed).
 */
export function onlineCodelength(X: Matrix, y: Labels, numClasses: number, options: ProbeOptions & { l2: number }, seed: number): OnlineCode {
  const n = X.rows;
  const order = new Random(seed).permutation(n);
  const ends = [...new Set(MDL_BLOCK_FRACTIONS.map((f) => Math.max(1, Math.round(f * n))))];
  const uniformBits = n * Math.log2(numClasses);
  let bits = ends[0] * Math.log2(numClasses);
  for (let b = 1; b < ends.length; b++) {
    const seen = order.slice(0, ends[b - 1]);
    const next = order.slice(ends[b - 1], ends[b]);
    const probe = createProbe({ ...options, seed, l2: (options.l2 * n) / seen.length });
    probe.fit(selectRows(X, seen), selectLabels(y, seen), numClasses);
    const logp = probe.predictLogProba(selectRows(X, next));
    for (let i = 0; i < next.length; i++) bits -= logp[i * numClasses + y[next[i]]] / Math.LN2;
  }
  return { bits, uniformBits, compression: uniformBits / bits };
}
