import { meanCI } from '../core/stats.js';
import type { Metric, ProbeName, ResultRow, TaskSummary } from './types.js';

/** Mean over seeds of one metric, per layer (index = layer; NaN where the metric is missing). */
export function layerMeans(rows: readonly ResultRow[], metric: Metric, layers: number): number[] {
  return Array.from({ length: layers }, (_, layer) => meanCI(rows.filter((r) => r.layer === layer && r.metric === metric).map((r) => r.value)).mean);
}

/**
 * Expected layer (Tenney et al. 2019, "BERT rediscovers the classical NLP pipeline"): the centre
 * of gravity Σ ℓ·Δ(ℓ) / Σ Δ(ℓ) of the score differences Δ(ℓ) = s(ℓ) − s(ℓ−1), ℓ ≥ 1.
 * Tenney's probes see layers 0…ℓ cumulatively, so their scores never fall; independent per-layer
 * probes can, and a negative Δ would pull the centre backwards (or outside 0…L). So Δ is taken on
 * the running best score, max over layers ≤ ℓ: a layer counts by how much it improves on every
 * layer before it, and a drop counts 0. With no improvement over layer 0 the result is 0.
 */
export function expectedLayer(scores: readonly number[]): number {
  let best = NaN; // the first layer with a score is the baseline; layers without one (NaN) are skipped
  let weighted = 0;
  let total = 0;
  for (let layer = 0; layer < scores.length; layer++) {
    if (!Number.isFinite(scores[layer])) continue;
    if (Number.isNaN(best)) {
      best = scores[layer];
      continue;
    }
    const gain = Math.max(0, scores[layer] - best);
    best += gain;
    weighted += layer * gain;
    total += gain;
  }
  return total > 0 ? weighted / total : 0;
}

/**
 * The per-task summary of long-format results: best layer by mean accuracy over seeds (the
 * lower layer on ties), its accuracy, the expected layer of the mean accuracies, and the mean
 * selectivity and MDL (kbits) at the best layer (NaN when those metrics were not computed).
 */
export function summarizeTask(rows: readonly ResultRow[], task: string, probe?: ProbeName): TaskSummary {
  const mine = rows.filter((r) => r.task === task && (probe === undefined || r.probe === probe));
  if (mine.length === 0) throw new Error(`no results for task "${task}"${probe ? ` with the ${probe} probe` : ''}`);
  const kinds = new Set(mine.map((r) => r.probe));
  if (kinds.size > 1) throw new Error(`task "${task}" has results for probes ${[...kinds].join(', ')}; say which one to summarize`);
  const layers = Math.max(...mine.map((r) => r.layer)) + 1;
  const accuracy = layerMeans(mine, 'accuracy', layers);
  let best = 0;
  for (let layer = 1; layer < layers; layer++) if (accuracy[layer] > accuracy[best] || Number.isNaN(accuracy[best])) best = layer;
  return {
    task,
    best_layer: best,
    best_accuracy: accuracy[best],
    expected_layer: expectedLayer(accuracy),
    selectivity: layerMeans(mine, 'selectivity', layers)[best],
    mdl_kbits: layerMeans(mine, 'mdl_bits', layers)[best] / 1000,
    probe: [...kinds][0],
  };
}

/** One summary per task (and probe kind, when several were run), in first-seen order. */
export function summarizeResults(rows: readonly ResultRow[]): TaskSummary[] {
  const pairs = new Map<string, { task: string; probe: ProbeName }>();
  for (const r of rows) pairs.set(`${r.task}\u0000${r.probe}`, { task: r.task, probe: r.probe });
  return [...pairs.values()].map(({ task, probe }) => summarizeTask(rows, task, probe));
}
