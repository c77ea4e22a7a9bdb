import { meanCI } from '../core/stats.js';
import { isBaseline, type Metric, type ProbeName, type ResultRow, type TaskSummary } from './types.js';

/** Mean over seeds of one metric, per layer (index = layer; NaN where the metric is missing). */
export function layerMeans(rows: readonly ResultRow[], metric: Metric, layers: number): number[] {
  return Array.from({ length: layers }, (_, layer) => meanCI(rows.filter((r) => r.layer === layer && r.metric === metric).map((r) => r.value)).mean);
}

/**
 * Expected layer (Tenney, Das & Pavlick 2019, "BERT Rediscovers the Classical NLP Pipeline", §3):
 * E_Δ[ℓ] = Σ ℓ·Δ(ℓ) / Σ Δ(ℓ), the mean layer weighted by the differential scores
 * Δ(ℓ) = s(ℓ) − s(ℓ−1), ℓ ≥ 1. (Their "centre of gravity" is another statistic, of scalar-mix
 * weights, which layerwise does not compute.) Tenney's probes see layers 0…ℓ cumulatively, so
 * their scores never fall; independent per-layer probes can, and a negative Δ would pull the
 * mean backwards (or outside 0…L). So Δ is taken on the running best score, max over layers ≤ ℓ:
 * a layer counts by how much it improves on every layer before it, a drop counts 0. With no
 * improvement over layer 0 the result is 0.
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
 * The per-task summary of long-format results. The best layer is the one with the highest mean
 * dev accuracy over seeds (the lower layer on ties) — chosen on data held out from training, so
 * the test accuracy reported at it is not optimistically selected (results without dev accuracy,
 * e.g. from older files, fall back to test accuracy). At the best layer: mean test accuracy, the
 * mean bootstrap interval, the gain over the embedding layer (paired bootstrap; the largest
 * p-value over seeds), mean selectivity and MDL (kbits). The expected layer is computed on the
 * mean test accuracies (a description, not a choice). NaN where a metric was not computed.
 */
export function summarizeTask(rows: readonly ResultRow[], task: string, probe?: ProbeName): TaskSummary {
  const mine = rows.filter((r) => r.task === task && !isBaseline(r.probe) && (probe === undefined || r.probe === probe));
  if (mine.length === 0) throw new Error(`no results for task "${task}"${probe ? ` with the ${probe} probe` : ''}`);
  const kinds = new Set(mine.map((r) => r.probe));
  if (kinds.size > 1) throw new Error(`task "${task}" has results for probes ${[...kinds].join(', ')}; say which one to summarize`);
  const layers = Math.max(...mine.map((r) => r.layer)) + 1;
  const accuracy = layerMeans(mine, 'accuracy', layers);
  const dev = layerMeans(mine, 'dev_accuracy', layers);
  const choice = dev.some(Number.isFinite) ? dev : accuracy;
  let best = 0;
  for (let layer = 1; layer < layers; layer++) if (choice[layer] > choice[best] || Number.isNaN(choice[best])) best = layer;
  const at = (metric: Metric) => layerMeans(mine, metric, layers)[best];
  const pValues = mine.filter((r) => r.layer === best && r.metric === 'gain_over_emb_p').map((r) => r.value);
  return {
    task,
    best_layer: best,
    best_accuracy: accuracy[best],
    best_ci_low: at('ci_low'),
    best_ci_high: at('ci_high'),
    best_gain_over_emb: at('gain_over_emb'),
    best_gain_over_emb_p: pValues.length ? Math.max(...pValues) : NaN,
    expected_layer: expectedLayer(accuracy),
    selectivity: at('selectivity'),
    mdl_kbits: at('mdl_bits') / 1000,
    probe: [...kinds][0],
  };
}

/** One summary per task (and probe kind, when several were run), in first-seen order. */
export function summarizeResults(rows: readonly ResultRow[]): TaskSummary[] {
  const pairs = new Map<string, { task: string; probe: ProbeName }>();
  for (const r of rows) if (!isBaseline(r.probe)) pairs.set(`${r.task}\u0000${r.probe}`, { task: r.task, probe: r.probe });
  return [...pairs.values()].map(({ task, probe }) => summarizeTask(rows, task, probe));
}
