import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic.js';
import { SUMMARY_COLUMNS, type Metric, type ProbeName, type ResultRow, type TaskSummary } from './types.js';

const HEADER = 'task,layer,probe,seed,metric,value';

/** Long-format results as CSV: `task,layer,probe,seed,metric,value`. */
export function formatResultsCsv(rows: ResultRow[]): string {
  return [HEADER, ...rows.map((r) => `${r.task},${r.layer},${r.probe},${r.seed},${r.metric},${r.value}`)].join('\n') + '\n';
}

export function writeResultsCsv(path: string, rows: ResultRow[]): void {
  writeFileAtomic(path, formatResultsCsv(rows));
}

export function readResultsCsv(path: string): ResultRow[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== HEADER) throw new Error(`${path}:1: expected header "${HEADER}"`);
  return lines.slice(1).map((line, i) => {
    const f = line.split(',');
    if (f.length !== 6) throw new Error(`${path}:${i + 2}: expected 6 comma-separated fields, got ${f.length}`);
    const [task, layer, probe, seed, metric, value] = f;
    return { task, layer: Number(layer), probe: probe as ProbeName, seed: Number(seed), metric: metric as Metric, value: Number(value) };
  });
}

/** Per-task summaries as CSV, one row per task, columns SUMMARY_COLUMNS. */
export function formatSummaryCsv(summaries: TaskSummary[]): string {
  return [SUMMARY_COLUMNS.join(','), ...summaries.map((s) => SUMMARY_COLUMNS.map((c) => s[c] ?? '').join(','))].join('\n') + '\n';
}

export function writeSummaryCsv(path: string, summaries: TaskSummary[]): void {
  writeFileAtomic(path, formatSummaryCsv(summaries));
}
