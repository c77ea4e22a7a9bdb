import { writeFileAtomic } from '../core/atomic.js';
import { readText } from '../core/validate.js';
import { METRICS, NO_LAYER, SUMMARY_COLUMNS, type Metric, type ResultRow, type TaskSummary } from './types.js';

const HEADER = 'task,layer,probe,seed,metric,value';

/** Long-format results as CSV: `task,layer,probe,seed,metric,value`. */
export function formatResultsCsv(rows: ResultRow[]): string {
  return [HEADER, ...rows.map((r) => `${r.task},${r.layer},${r.probe},${r.seed},${r.metric},${r.value}`)].join('\n') + '\n';
}

export function writeResultsCsv(path: string, rows: ResultRow[]): void {
  writeFileAtomic(path, formatResultsCsv(rows));
}

/**
 * Reads long-format results, checking every field: a known metric, integer layer and seed, and a
 * number for value (`NaN` as written for an undefined metric; a blank or non-numeric one is an error).
 */
export function readResultsCsv(path: string): ResultRow[] {
  const lines = readText(path).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines[0]?.trim() !== HEADER) throw new Error(`${path}:1: expected the header "${HEADER}"`);
  const rows: ResultRow[] = [];
  lines.forEach((line, i) => {
    if (i === 0 || line.trim() === '') return;
    const fail = (reason: string): never => {
      throw new Error(`${path}:${i + 1}: ${reason}`);
    };
    const f = line.split(',');
    if (f.length !== 6) fail(`expected 6 comma-separated fields (${HEADER}), got ${f.length}`);
    const [task, layer, probe, seed, metric, value] = f.map((x) => x.trim());
    if (task === '' || probe === '') fail(`${task === '' ? 'task' : 'probe'} is blank`);
    if (!/^\d+$/.test(layer) && Number(layer) !== NO_LAYER) fail(`layer "${layer}" is not a layer number (0 = embeddings, 1, 2, …; ${NO_LAYER} for baselines)`);
    if (!/^\d+$/.test(seed)) fail(`seed "${seed}" is not a non-negative integer`);
    if (!(METRICS as readonly string[]).includes(metric)) fail(`unknown metric "${metric}"; metrics are ${METRICS.join(', ')}`);
    if (value !== 'NaN' && (value === '' || !Number.isFinite(Number(value)))) fail(`value "${value}" is not a number`);
    rows.push({ task, layer: Number(layer), probe, seed: Number(seed), metric: metric as Metric, value: Number(value) });
  });
  if (rows.length === 0) throw new Error(`${path} has a header but no results`);
  return rows;
}

/** Per-task summaries as CSV, one row per task, columns SUMMARY_COLUMNS. */
export function formatSummaryCsv(summaries: TaskSummary[]): string {
  return [SUMMARY_COLUMNS.join(','), ...summaries.map((s) => SUMMARY_COLUMNS.map((c) => s[c] ?? '').join(','))].join('\n') + '\n';
}

export function writeSummaryCsv(path: string, summaries: TaskSummary[]): void {
  writeFileAtomic(path, formatSummaryCsv(summaries));
}
