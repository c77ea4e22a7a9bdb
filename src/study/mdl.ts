import { selectRows, type Matrix } from '../core/activations.js';
import { Random } from '../core/random.js';
import { createProbe } from '../probe/create.js';
import { fitStandardizer, selectLabels, standardize } from '../probe/standardize.js';
import type { Labels, Probe, ProbeOptions } from '../probe/types.js';

/** Block boundaries of Voita & Titov (2020), as fractions of the training data. */
export const MDL_BLOCK_FRACTIONS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.0625, 0.125, 0.25, 0.5, 1];

export interface OnlineCode {
  bits: number; // online codelength of the training labels
  uniformBits: number; // n·log2(classes)
  compression: number; // uniformBits / bits
  /** Example counts at each block's end (the first block is sent with the uniform code). */
  blockEnds: number[];
}

/** Trains the probe that encodes the next block, on the examples of the blocks before it. */
export type BlockProbeFactory = (X: Matrix, y: Int32Array, numClasses: number) => Pick<Probe, 'predictLogProba'>;

/**
 * Each block's probe is a fresh one with its own λ chosen on a held-out part of the data it may
 * see (the probe's validation search, which for the MLP is also its early stopping), as Voita &
 * Titov train each block's model with early stopping on a held-out part of that block's data.
 * The choice is by held-out log-loss, the quantity the code is made of: by accuracy, ties on a
 * small held-out part let a negligible change of the fit (its starting point) pick another λ
 * and change a unit's codelength by half. The probes take their inputs as given: `onlineCodelength`
 * standardizes them once for all blocks.
 */
export function searchingProbes(options: ProbeOptions): BlockProbeFactory {
  return (X, y, numClasses) => createProbe({ ...options, l2: undefined, selectBy: 'logLoss', standardize: false }).fit(X, y, numClasses);
}

/**
 * Online (prequential) codelength of the labels given the features (Voita & Titov 2020,
 * "Information-Theoretic Probing with Minimum Description Length", §2.2): whole sentences are
 * transmitted in a seeded random order, cut into blocks at the fractions above (rounded to
 * sentence boundaries, so the words of one sentence are never split across blocks); the first
 * block is sent with the uniform code, every later block with the log-probabilities of a probe
 * trained on all blocks before it. `clusters[i]` is row i's sentence (default: every row its own).
 *
 * The features are standardized once, with all n rows' statistics, before the blocks are cut: the
 * receiver of the code already has every x (only the labels are sent), so these statistics cost
 * nothing to share. With each block's own statistics, a column nearly constant on the 4 rows of a
 * first block (float32 rounding in a degenerate layer) was scaled into unit-size features, and one
 * word of the next block cost 2.6 million bits.
 */
export function onlineCodelength(X: Matrix, y: Labels, numClasses: number, fitBlockProbe: BlockProbeFactory, seed: number, clusters?: ArrayLike<number>): OnlineCode {
  const n = X.rows;
  if (y.length !== n) throw new Error(`${n} rows but ${y.length} labels`);
  const { order, ends } = mdlBlocks(n, seed, clusters);
  const scaled = standardize(X, fitStandardizer(X));
  const uniformBits = n * Math.log2(numClasses);
  let bits = ends[0] * Math.log2(numClasses);
  for (let b = 1; b < ends.length; b++) {
    const seen = order.subarray(0, ends[b - 1]);
    const next = order.subarray(ends[b - 1], ends[b]);
    const probe = fitBlockProbe(selectRows(scaled, seen), selectLabels(y, seen), numClasses);
    const logp = probe.predictLogProba(selectRows(scaled, next));
    for (let i = 0; i < next.length; i++) bits -= logp[i * numClasses + y[next[i]]] / Math.LN2;
  }
  return { bits, uniformBits, compression: uniformBits / bits, blockEnds: ends };
}

/**
 * The transmission order of rows 0 … n−1 (whole sentences, seeded shuffle) and the block ends in
 * it: MDL_BLOCK_FRACTIONS of n, each moved forward to the next sentence boundary.
 */
export function mdlBlocks(n: number, seed: number, clusters?: ArrayLike<number>): { order: Int32Array; ends: number[] } {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = clusters ? clusters[i] : i;
    let rows = groups.get(c);
    if (!rows) groups.set(c, (rows = []));
    rows.push(i);
  }
  const sentences = new Random(seed).shuffle([...groups.values()]);
  let position = 0;
  const boundaries = sentences.map((rows) => (position += rows.length));
  const ends = [...new Set(MDL_BLOCK_FRACTIONS.map((f) => boundaries.find((b) => b >= Math.max(1, Math.round(f * n)))!))];
  return { order: Int32Array.from(sentences.flat()), ends };
}
