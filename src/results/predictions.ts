import { writeFileAtomic } from '../core/atomic.js';
import type { PredictionRow } from './types.js';

const COLUMNS = ['task', 'layer', 'probe', 'seed', 'split', 'example_id', 'sentence_id', 'gold', 'pred'] as const satisfies ReadonlyArray<keyof PredictionRow>;

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every prediction as CSV, `task,layer,probe,seed,split,example_id,sentence_id,gold,pred`, streamed in chunks. */
export function* predictionsCsv(rows: Iterable<PredictionRow>): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  yield encoder.encode(COLUMNS.join(',') + '\n');
  let chunk: string[] = [];
  for (const row of rows) {
    chunk.push(COLUMNS.map((c) => field(row[c])).join(','));
    if (chunk.length === 10_000) {
      yield encoder.encode(chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) yield encoder.encode(chunk.join('\n') + '\n');
}

export function writePredictionsCsv(path: string, rows: Iterable<PredictionRow>): void {
  writeFileAtomic(path, predictionsCsv(rows));
}
