import * as dfd from 'danfojs-node';
import { meanCI } from './stats.js';
import type { ResultRow, TaskSummary } from './types.js';

const RESULT_COLUMNS = ['task', 'layer', 'probe', 'seed', 'metric', 'value'];
const SUMMARY_COLUMNS = ['task', 'probe', 'best_layer', 'best_accuracy', 'expected_layer', 'selectivity', 'mdl_kbits'];

/** Long-format results for people: one row per task, layer, probe, seed and metric. */
export function resultsFrame(rows: readonly ResultRow[]): dfd.DataFrame {
  return new dfd.DataFrame(
    rows.map((r) => ({ ...r })),
    { columns: RESULT_COLUMNS },
  );
}

/** One row per task summary. */
export function summaryFrame(summaries: readonly TaskSummary[]): dfd.DataFrame {
  return new dfd.DataFrame(
    summaries.map((s) => ({ ...s, probe: s.probe ?? '' })),
    { columns: SUMMARY_COLUMNS },
  );
}

/** Mean and 95% CI over seeds, one row per task, probe, layer and metric. */
export function layerStatsFrame(rows: readonly ResultRow[]): dfd.DataFrame {
  const groups = new Map<string, { key: Omit<ResultRow, 'seed' | 'value'>; values: number[] }>();
  for (const r of rows) {
    const id = [r.task, r.probe, r.layer, r.metric].join('\u0000');
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: { task: r.task, probe: r.probe, layer: r.layer, metric: r.metric }, values: [] }));
    group.values.push(r.value);
  }
  const out = [...groups.values()].map(({ key, values }) => ({ ...key, seeds: values.length, ...meanCI(values) }));
  return new dfd.DataFrame(out, { columns: ['task', 'probe', 'layer', 'metric', 'seeds', 'mean', 'low', 'high'] });
}
