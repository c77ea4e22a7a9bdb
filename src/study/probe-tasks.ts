import type { SentencePooling, WordPooling } from '../core/config.js';
import type { ProgressCallback } from '../core/progress.js';
import type { Encoder } from '../encoder/encoder.js';
import type { PredictionRow, ResultRow, TaskSummary } from '../results/types.js';
import type { ProbingTask } from '../tasks/types.js';
import { embedTask } from './features.js';
import { probeLayers, type ProbeLayersOptions } from './protocol.js';

export interface ProbeTasksOptions extends Omit<ProbeLayersOptions, 'onProgress'> {
  sentencePooling?: SentencePooling;
  wordPooling?: WordPooling;
  batchSize?: number;
  /** Called with what is happening now (`extract upos`, `probe upos`) and its progress. */
  onProgress?: (stage: string) => ProgressCallback;
}

export interface ProbeTasksResult {
  rows: ResultRow[];
  summaries: TaskSummary[];
  /** Every dev and test prediction, when asked for with `predictions: true`. */
  predictions?: PredictionRow[];
  seconds: { extract: number; probe: number };
}

/** Extracts features for each task (through the cache) and probes every layer: the study's core loop. */
export async function probeTasks(encoder: Encoder, tasks: readonly ProbingTask[], options: ProbeTasksOptions = {}): Promise<ProbeTasksResult> {
  const rows: ResultRow[] = [];
  const summaries: TaskSummary[] = [];
  const predictions: PredictionRow[] | undefined = options.predictions ? [] : undefined;
  const seconds = { extract: 0, probe: 0 };
  const clock = () => performance.now() / 1000;
  for (const task of tasks) {
    let start = clock();
    // Sentences earlier tasks (or runs) extracted come from the extraction store.
    const features = await embedTask(encoder, task, { sentencePooling: options.sentencePooling, wordPooling: options.wordPooling, batchSize: options.batchSize, onProgress: options.onProgress?.(`extract ${task.name}`) });
    seconds.extract += clock() - start;
    start = clock();
    const result = await probeLayers(features, task, { ...options, onProgress: options.onProgress?.('probe') });
    seconds.probe += clock() - start;
    rows.push(...result.rows);
    summaries.push(result.summary);
    if (predictions) for (const p of result.predictions!) predictions.push(p);
  }
  return { rows, summaries, seconds, ...(predictions && { predictions }) };
}
