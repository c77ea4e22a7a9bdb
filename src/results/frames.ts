import type * as dfd from 'danfojs-node';
import { frameOf } from '../core/frames.js';
import { meanCI } from '../core/stats.js';
import { SUMMARY_COLUMNS, type ResultRow, type TaskSummary } from './types.js';

const RESULT_COLUMNS = ['task', 'layer', 'probe', 'seed', 'metric', 'value'];

/** Long-format results for people: one row per task, layer, probe, seed and metric. */
export function resultsFrame(rows: readonly ResultRow[]): dfd.DataFrame {
  return frameOf(rows, RESULT_COLUMNS);
}

/** One row per task summary. */
export function summaryFrame(summaries: readonly TaskSummary[]): dfd.DataFrame {
  return frameOf(summaries.map((s) => ({ ...s, probe: s.probe ?? '' })), SUMMARY_COLUMNS);
}

/** Mean and 95% t-interval over seeds (spread of the seeds, not test-set uncertainty), one row per task, probe, layer and metric. */
export function seedSpreadFrame(rows: readonly ResultRow[]): dfd.DataFrame {
  const groups = new Map<string, { key: Omit<ResultRow, 'seed' | 'value'>; values: number[] }>();
  for (const r of rows) {
    const id = [r.task, r.probe, r.layer, r.metric].join('\u0000');
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key: { task: r.task, probe: r.probe, layer: r.layer, metric: r.metric }, values: [] }));
    group.values.push(r.value);
  }
  const out = [...groups.values()].map(({ key, values }) => ({ ...key, seeds: values.length, ...meanCI(values) }));
  return frameOf(out, ['task', 'probe', 'layer', 'metric', 'seeds', 'mean', 'low', 'high']);
}
