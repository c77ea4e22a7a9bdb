
import { join } from 'node:path';
import { DEFAULTS, type SentencePooling, type WordPooling } from '../core/config.js';
import type { ProgressCallback } from '../core/progress.js';
import { Encoder, type Dtype } from '../encoder/encoder.js';
import { initBackend } from '../probe/backend.js';
import type { ProbeKind } from '../probe/types.js';
import { writeResultsCsv, writeSummaryCsv } from '../results/csv.js';
import type { ResultRow, TaskSummary } from '../results/types.js';
import { loadTasks, TASK_REGISTRY } from '../tasks/registry.js';
import { subsampleTask } from '../tasks/subsample.js';
import { closeBrowser } from '../viz/browser.js';
import { explore } from './explore.js';
import { probeTasks } from '../study/probe-tasks.js';
import { buildReport } from './build.js';
import { resolveLabSettings, writeRunSettings } from './settings.js';
import type { Lang } from './text/types.js';

export interface LabOptions {
  model?: string; // default Xenova/roberta-base
  dtype?: Dtype;
  offline?: boolean;
  /** Task names; default every English task. */
  tasks?: string[];
  probe?: ProbeKind;
  seeds?: number;
  control?: boolean;
  mdl?: boolean;
  sentencePooling?: SentencePooling;
  wordPooling?: WordPooling;
  batchSize?: number;
  /** Cap on train / test examples per task (seeded sample), for quick runs. */
  maxTrain?: number;
  maxTest?: number;
  /** Sentences for the geometry figures (SST-2 test); default 500. */
  exploreSentences?: number;
  outDir: string;
  /** Language of the report and figure labels; default en. */
  lang?: Lang;
  onProgress?: (stage: string) => ProgressCallback;
  log?: (line: string) => void;
}

export interface LabResult {
  rows: ResultRow[];
  summaries: TaskSummary[];
  files: string[];
}

const ATTENTION_SENTENCE = 'The keys to the cabinet are on the table.';

/** The whole lab: probes on every layer for every task, figures, and a report (what `layerwise lab` runs). */
export async function runLab(options: LabOptions): Promise<LabResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const model = options.model ?? DEFAULTS.model;
  const names = options.tasks ?? TASK_REGISTRY.filter((t) => t.language === 'en').map((t) => t.name);
  const control = options.control ?? true;
  const mdl = options.mdl ?? true;
  const seeds = options.seeds ?? DEFAULTS.seeds;
  const probe = options.probe ?? DEFAULTS.probe;
  const sentencePooling = options.sentencePooling ?? DEFAULTS.sentencePooling;
  const wordPooling = options.wordPooling ?? DEFAULTS.wordPooling;
  const capped = (t: ReturnType<typeof loadTasks>[number]) => (options.maxTrain || options.maxTest ? subsampleTask(t, options.maxTrain ?? Infinity, options.maxTest ?? Infinity) : t);
  const tasks = loadTasks(names).map(capped);
  log(`model ${model}: loading`);
  const encoder = await Encoder.load(model, { dtype: options.dtype, offline: options.offline });
  const files: string[] = [];
  try {
    const backend = await initBackend();
    log(`${tasks.length} tasks, ${probe} probes on ${encoder.numHiddenStates} hidden states × ${seeds} seeds (tfjs ${backend})`);
    const probed = await probeTasks(encoder, tasks, { probe, seeds, control, mdl, sentencePooling, wordPooling, batchSize: options.batchSize, onProgress: options.onProgress });
    const results = join(options.outDir, 'results.csv');
    writeResultsCsv(results, probed.rows);
    writeSummaryCsv(join(options.outDir, 'summary.csv'), probed.summaries);
    // Beside the results: what they were measured with, so a comparison can reuse them (compare.ts).
    writeRunSettings(options.outDir, resolveLabSettings(options));
    files.push(results, join(options.outDir, 'summary.csv'), join(options.outDir, 'settings.json'));

    log('geometry, context and attention figures');
    const sst2 = tasks.find((t) => t.name === 'sst2') ?? loadTasks(['sst2'])[0];
    const sample = sst2.test.examples.slice(0, options.exploreSentences ?? 500);
    const exploration = await explore(encoder, { texts: sample.map((ex) => sst2.test.sentences[ex.sentence].text), labels: sample.map((ex) => sst2.labels[ex.label]) }, ATTENTION_SENTENCE);

    const report = await buildReport(
      {
        model, numHiddenStates: encoder.numHiddenStates, tasks, rows: probed.rows, summaries: probed.summaries, exploration,
        settings: { dtype: options.dtype ?? DEFAULTS.dtype, hiddenSize: encoder.hiddenSize, sentencePooling, wordPooling, backend, maxTrain: options.maxTrain, maxTest: options.maxTest, seconds: { ...probed.seconds, total: (Date.now() - started) / 1000 } },
      },
      { outDir: options.outDir, lang: options.lang },
    );
    files.push(...report.files);
    log(`report: ${join(options.outDir, 'report.md')}`);
    return { rows: probed.rows, summaries: probed.summaries, files };
  } finally {
    await closeBrowser();
    await encoder.dispose();
  }
}
