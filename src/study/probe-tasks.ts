import type { SentencePooling, WordPooling } from '../core/config.js';
import type { ProgressCallback } from '../core/progress.js';
import type { Encoder } from '../encoder/encoder.js';
import type { PredictionRow, ResultRow, TaskSummary } from '../results/types.js';
import type { ProbingTask } from '../tasks/types.js';
import { embedTask } from './features.js';
import { probeLayers, type ProbeLayersOptions, type ProbeLayersResult } from './protocol.js';
import { FitWorkers } from './workers.js';

export interface ProbeTasksOptions extends Omit<ProbeLayersOptions, 'onProgress' | 'pool'> {
  sentencePooling?: SentencePooling;
  wordPooling?: WordPooling;
  batchSize?: number;
  /** Called with what is happening now (`extract upos`, `probe upos`) and its progress. */
  onProgress?: (stage: string) => ProgressCallback;
  /**
   * Work for the main thread once the last task is extracted, done while its fits finish (the
   * lab's figures). If it fails, the fits stop at once and the result rejects with its error.
   */
  duringLastFits?: () => Promise<void>;
  /** Aborting it ends the fit workers at once, and the result rejects. */
  signal?: AbortSignal;
}

export interface ProbeTasksResult {
  rows: ResultRow[];
  summaries: TaskSummary[];
  /** Every dev and test prediction, when asked for with `predictions: true`. */
  predictions?: PredictionRow[];
  /**
   * Wall-clock seconds: `extract`, the tasks' extractions added up; `probe`, the time during which
   * some task was being probed. The two overlap (a task is probed while the next is extracted).
   */
  seconds: { extract: number; probe: number };
}

/**
 * Extracts features for each task (through the extraction store) and probes every layer: the
 * study's core loop. Task t is probed on the fit workers while the main thread extracts task t + 1,
 * so no core idles between the two phases; the workers run in the background (see FitWorkers), so
 * the extraction, which the next task's fits wait for, keeps its pace. At most two tasks' features are held: the next
 * extraction starts once the task before the one being probed is done. Results come in task order
 * whatever finished first.
 */
export async function probeTasks(encoder: Encoder, tasks: readonly ProbingTask[], options: ProbeTasksOptions = {}): Promise<ProbeTasksResult> {
  const clock = () => performance.now() / 1000;
  const seconds = { extract: 0, probe: 0 };
  options.signal?.throwIfAborted();
  const pool = new FitWorkers(options.workers, { background: true });
  const stop = () => void pool.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  let probing = 0; // tasks being probed now
  let probingSince = 0;
  const probe = async (features: Awaited<ReturnType<typeof embedTask>>, task: ProbingTask): Promise<ProbeLayersResult> => {
    if (probing++ === 0) probingSince = clock();
    try {
      return await probeLayers(features, task, { ...options, pool, onProgress: options.onProgress?.('probe') });
    } finally {
      if (--probing === 0) seconds.probe += clock() - probingSince;
    }
  };
  const results: Promise<ProbeLayersResult>[] = [];
  try {
    for (const [t, task] of tasks.entries()) {
      const start = clock();
      const features = await embedTask(encoder, task, { sentencePooling: options.sentencePooling, wordPooling: options.wordPooling, batchSize: options.batchSize, onProgress: options.onProgress?.(`extract ${task.name}`) });
      seconds.extract += clock() - start;
      const result = probe(features, task);
      result.catch(() => {}); // awaited below; a failure must not count as unhandled while the next task extracts
      results.push(result);
      if (t >= 1) await results[t - 1];
    }
    const [, ...done] = await Promise.all([options.duringLastFits?.(), ...results]);
    const predictions = options.predictions ? done.flatMap((r) => r.predictions!) : undefined;
    return { rows: done.flatMap((r) => r.rows), summaries: done.map((r) => r.summary), seconds, ...(predictions && { predictions }) };
  } finally {
    // After a failure, fits still running are abandoned: their workers end here.
    options.signal?.removeEventListener('abort', stop);
    await pool.close();
  }
}
