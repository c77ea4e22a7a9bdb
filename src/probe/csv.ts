import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import type { Metric, ProbeKind, ResultRow } from './types.js';

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
    return { task, layer: Number(layer), probe: probe as ProbeKind, seed: Number(seed), metric: metric as Metric, value: Number(value) };
  });
}
