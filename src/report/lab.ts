import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { replaceFolder } from '../core/atomic.js';
import { DEFAULTS, VERSION, type SentencePooling, type WordPooling } from '../core/config.js';
import { cpuModel, measureMatmulRate } from '../core/matmul-rate.js';
import type { ProgressCallback } from '../core/progress.js';
import { checkInteger, checkOptionalInteger } from '../core/validate.js';
import { Encoder, type Dtype } from '../encoder/encoder.js';
import { initBackend } from '../probe/backend.js';
import type { ProbeKind } from '../probe/types.js';
import { writeResultsCsv, writeSummaryCsv } from '../results/csv.js';
import type { ResultRow, TaskSummary } from '../results/types.js';
import { loadTasks, TASK_REGISTRY } from '../tasks/registry.js';
import { subsampleTask } from '../tasks/subsample.js';
import { closeBrowser } from '../viz/browser.js';
import { explore, type Exploration } from './explore.js';
import { UnitJournal } from '../study/journal.js';
import { probeTasks } from '../study/probe-tasks.js';
import { buildReport } from './build.js';
import { resolveLabSettings, writeRunSettings, type LabSettings } from './settings.js';
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

/** Files a lab writes: a rerun may replace a folder holding only these (and a report.md, so it was a lab's). */
const LAB_FILE = /^(results\.csv|summary\.csv|report\.md|report\.html|[\w-]+\.(png|svg|html))$/;

/** Refuses, before any work, an output folder the lab would overwrite along with someone else's files. */
function checkOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  const entries = readdirSync(outDir);
  if (entries.length === 0 || (entries.includes('report.md') && entries.every((e) => LAB_FILE.test(e)))) return;
  throw new Error(`${outDir} holds files a lab did not write, and a lab replaces its whole output folder; choose a new or lab-made folder`);
}

/**
 * The journal of a lab's finished probe fits, beside its output folder (`.NAME.journal-HASH.jsonl`
 * in the parent: the output folder is replaced whole, and holds only what the lab wrote). HASH
 * covers every setting that changes the numbers, the tfjs backend (backends round differently) and
 * the model's content, so a rerun with the same settings resumes, and one with others starts anew.
 */
function openJournal(outDir: string, settings: LabSettings & { backend: string }, fingerprint: string): UnitJournal {
  const hash = createHash('sha256').update(JSON.stringify([settings, fingerprint, VERSION])).digest('hex').slice(0, 16);
  mkdirSync(dirname(outDir), { recursive: true });
  return new UnitJournal(join(dirname(outDir), `${journalPrefix(outDir)}${hash}.jsonl`), { ...settings, fingerprint, version: VERSION });
}

const journalPrefix = (outDir: string) => `.${basename(outDir)}.journal-`;

/** Removes the journals of an output folder once its lab is complete (this run's and any of other settings). */
function removeJournals(outDir: string): void {
  const parent = dirname(outDir);
  for (const entry of readdirSync(parent)) if (entry.startsWith(journalPrefix(outDir))) rmSync(join(parent, entry), { force: true });
}

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
  checkInteger('seeds', seeds, 1);
  const maxTrain = checkOptionalInteger('maxTrain', options.maxTrain, 1);
  const maxTest = checkOptionalInteger('maxTest', options.maxTest, 1);
  const exploreSentences = checkInteger('exploreSentences', options.exploreSentences ?? 500, 2);
  checkOptionalInteger('batchSize', options.batchSize, 1);
  checkOutDir(options.outDir);
  const capped = (t: ReturnType<typeof loadTasks>[number]) => (maxTrain !== undefined || maxTest !== undefined ? subsampleTask(t, maxTrain ?? Infinity, maxTest ?? Infinity) : t);
  const tasks = loadTasks(names).map(capped);
  // The host's rate, before and after the work: what the run's time is scaled by to compare hosts.
  const rateAtStart = await measureMatmulRate();
  log(`${cpuModel()}: ONNX Runtime fp32 MatMul ${rateAtStart.fp32GflopS.toFixed(0)} GFLOP/s on ${rateAtStart.threads} threads`);
  log(`model ${model}: loading`);
  // One session: the probe fits take the other cores meanwhile, and a second copy of the weights would not fit the lab's memory.
  const encoder = await Encoder.load(model, { dtype: options.dtype, offline: options.offline, sessions: 1 });
  const files: string[] = [];
  let journal: UnitJournal | undefined;
  let complete = false;
  try {
    const backend = await initBackend();
    journal = openJournal(options.outDir, { ...resolveLabSettings(options), backend }, encoder.fingerprint);
    log(`${tasks.length} tasks, ${probe} probes on ${encoder.numHiddenStates} hidden states × ${seeds} seeds (tfjs ${backend})`);
    if (journal.size > 0) log(`resuming an interrupted run: ${journal.size} probe fits already done (${journal.path})`);
    let exploration!: Exploration;
    // The figures' extractions and arithmetic run on the main thread while the last fits finish.
    const drawFigures = async () => {
      log('geometry, context and attention figures');
      const sst2 = tasks.find((t) => t.name === 'sst2') ?? loadTasks(['sst2'])[0];
      const sample = sst2.test.examples.slice(0, exploreSentences);
      exploration = await explore(encoder, { texts: sample.map((ex) => sst2.test.sentences[ex.sentence].text), labels: sample.map((ex) => sst2.labels[ex.label]) }, ATTENTION_SENTENCE);
    };
    const probed = await probeTasks(encoder, tasks, { probe, seeds, control, mdl, sentencePooling, wordPooling, batchSize: options.batchSize, onProgress: options.onProgress, duringLastFits: drawFigures, journal });
    log(`probe fits: ${journal.counts.written} run, ${journal.counts.resumed} read from the journal`);
    const rateAtEnd = await measureMatmulRate();
    log(`ONNX Runtime fp32 MatMul ${rateAtEnd.fp32GflopS.toFixed(0)} GFLOP/s after the fits`);
    const machine = { cpu: cpuModel(), threads: rateAtStart.threads, shape: rateAtStart.shape, gflopS: { start: rateAtStart.fp32GflopS, end: rateAtEnd.fp32GflopS } };

    // Every output is written into a staging folder that then replaces outDir whole: a killed
    // rerun leaves the previous report, CSVs and figures together, never a mix of two runs.
    await replaceFolder(options.outDir, async (staging) => {
      writeResultsCsv(join(staging, 'results.csv'), probed.rows);
      writeSummaryCsv(join(staging, 'summary.csv'), probed.summaries);
      // Beside the results: what they were measured with, so a comparison can reuse them (compare.ts).
      writeRunSettings(staging, resolveLabSettings(options));
      files.push('results.csv', 'summary.csv', 'settings.json');
      const report = await buildReport(
        {
          model, numHiddenStates: encoder.numHiddenStates, tasks, rows: probed.rows, summaries: probed.summaries, exploration,
          settings: { dtype: options.dtype ?? DEFAULTS.dtype, hiddenSize: encoder.hiddenSize, sentencePooling, wordPooling, backend, maxTrain, maxTest, machine, seconds: { ...probed.seconds, total: (Date.now() - started) / 1000 } },
        },
        { outDir: staging, lang: options.lang },
      );
      files.push(...report.files.map((path) => relative(staging, path)));
    });
    complete = true;
    log(`report: ${join(options.outDir, 'report.md')}`);
    return { rows: probed.rows, summaries: probed.summaries, files: files.map((f) => join(options.outDir, f)) };
  } finally {
    // A failed run keeps its journal, so a rerun resumes; a complete one needs it no more.
    journal?.close();
    if (complete) removeJournals(options.outDir);
    await closeBrowser();
    await encoder.dispose();
  }
}
