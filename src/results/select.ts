import { isBaseline, type Metric, type ProbeName, type ResultRow } from './types.js';

/** One metric's values over seeds, by task then hidden-state index (0 = embeddings). */
export type SeedValues = Map<string, Map<number, number[]>>;

/** Groups the rows of one metric (and probe kind) by task and layer, keeping tasks in first-seen order. */
export function valuesByTaskLayer(rows: readonly ResultRow[], metric: Metric, probe: ProbeName): SeedValues {
  const out: SeedValues = new Map();
  for (const r of rows) {
    if (r.metric !== metric || r.probe !== probe || !Number.isFinite(r.value)) continue;
    let layers = out.get(r.task);
    if (!layers) out.set(r.task, (layers = new Map()));
    let values = layers.get(r.layer);
    if (!values) layers.set(r.layer, (values = []));
    values.push(r.value);
  }
  return out;
}

/** The probe kind to plot: the one asked for, else `linear` when present, else the first one found. */
export function chooseProbe(rows: readonly ResultRow[], metric: Metric, probe?: ProbeName): ProbeName {
  const kinds = new Set(rows.filter((r) => r.metric === metric && !isBaseline(r.probe)).map((r) => r.probe));
  if (kinds.size === 0) throw new Error(`no "${metric}" rows in the results; metrics present: ${[...new Set(rows.map((r) => r.metric))].join(', ') || 'none'}`);
  if (probe) {
    if (!kinds.has(probe)) throw new Error(`no "${metric}" rows for the ${probe} probe; probes present: ${[...kinds].join(', ')}`);
    return probe;
  }
  return kinds.has('linear') ? 'linear' : [...kinds][0];
}

/** Metrics where smaller is better (description length), so the "best" layer is the minimum. */
export function lowerIsBetter(metric: Metric): boolean {
  return metric === 'mdl_bits';
}

/** The tasks to plot: the ones asked for (each must be present) or all, in first-seen order. */
export function chooseTasks(values: SeedValues, tasks?: readonly string[]): string[] {
  if (!tasks) return [...values.keys()];
  const missing = tasks.filter((t) => !values.has(t));
  if (missing.length) throw new Error(`no results for task(s) ${missing.join(', ')}; tasks present: ${[...values.keys()].join(', ')}`);
  return [...tasks];
}
