import { join } from 'node:path';
import { DEFAULTS } from '../core/config.js';
import { printLine, progressBar } from '../core/progress.js';
import { LANGUAGES } from '../report/text/types.js';
import { MODEL_OPTIONS, POOLING_OPTIONS, PROBE_OPTIONS, UsageError, defineCommand } from './options.js';

export const labCommand = defineCommand({
  name: 'lab',
  summary: 'run the whole study (probes, figures, report) in one command',
  description: `Runs the whole layer study and writes DIR/report.md and DIR/report.pdf (theory, the system,
results with intervals and baselines, conclusions, sources; figures as PNG/SVG), DIR/report.html
(interactive figures), DIR/results.csv and DIR/summary.csv. By default each task is capped at a
seeded sample of ${DEFAULTS.labCap} train and ${DEFAULTS.labCap} test examples, which keeps roberta-base on a
laptop within a lab session; --full uses every example (hours on 2 cores).
With two or more --model, each model's lab goes to its own folder under DIR (default figures;
a folder whose results.csv was measured with the same settings is reused) and the comparison
figures and tables to DIR/comparison-<a>-vs-<b>/.
A killed lab resumes: finished probe fits are journaled beside DIR (.NAME.journal-HASH.jsonl,
HASH from the settings that change numbers), a rerun with the same settings fits only the rest
and writes the same results, and the journal is removed when the lab completes. Extracted
vectors are kept per sentence in the extraction store (LAYERWISE_CACHE), so any task set reuses
every sentence already extracted.`,
  options: {
    ...MODEL_OPTIONS,
    model: { ...MODEL_OPTIONS.model, multiple: true, help: `${MODEL_OPTIONS.model.help}; give it twice or more to compare models` },
    out: { type: 'string', placeholder: 'DIR', help: 'output folder (default figures/<model>; with several models, their common folder, default figures)' },
    lang: { type: 'choice', choices: LANGUAGES, default: 'en', help: 'language of the report and figure labels' },
    tasks: { type: 'string', placeholder: 'en|ru|all|a,b,…', default: 'en', help: 'task names or groups, comma-separated' },
    ...PROBE_OPTIONS,
    seeds: { type: 'integer', min: 1, help: `probe seeds per layer (default ${DEFAULTS.seeds}; ${DEFAULTS.quickSeeds} with --quick)` },
    ...POOLING_OPTIONS,
    'no-control': { type: 'boolean', help: 'skip the control tasks (Hewitt & Liang 2019)' },
    'no-mdl': { type: 'boolean', help: 'skip the MDL online codelength (Voita & Titov 2020)' },
    'max-train': { type: 'integer', min: 1, help: `cap on train examples per task (default ${DEFAULTS.labCap}; ${DEFAULTS.quickTrainCap} with --quick)` },
    'max-test': { type: 'integer', min: 1, help: `cap on test examples per task (default ${DEFAULTS.labCap}; ${DEFAULTS.quickTestCap} with --quick)` },
    full: { type: 'boolean', help: 'every example of every task (no cap)' },
    quick: { type: 'boolean', help: `at most ${DEFAULTS.quickTrainCap} train / ${DEFAULTS.quickTestCap} test examples per task and ${DEFAULTS.quickSeeds} seeds` },
  },
  environment: ['LAYERWISE_CACHE', 'LAYERWISE_WORKERS', 'LAYERWISE_CHROMIUM', 'HF_HUB_CACHE'],
  async run(values) {
    if (values.quick && values.full) throw new UsageError('--quick and --full contradict each other: pick one');
    if (values.full && (values['max-train'] !== undefined || values['max-test'] !== undefined)) throw new UsageError('--full uses every example: drop --max-train/--max-test, or drop --full');
    const { selectTaskNames } = await import('../tasks/selection.js');
    const tasks = selectTaskNames(values.tasks);
    const { runLab } = await import('../report/lab.js');
    const { runComparison } = await import('../report/compare.js');
    const { modelFolderName } = await import('../report/settings.js');
    const cap = (given: number | undefined, quickCap: number) => (values.full ? undefined : given ?? (values.quick ? quickCap : DEFAULTS.labCap));
    const models = [...new Set(values.model)];
    const common = {
      tasks,
      lang: values.lang,
      dtype: values.dtype,
      offline: values.offline,
      batchSize: values['batch-size'],
      probe: values.probe,
      seeds: values.seeds ?? (values.quick ? DEFAULTS.quickSeeds : DEFAULTS.seeds),
      sentencePooling: values['sentence-pooling'],
      wordPooling: values['word-pooling'],
      control: !values['no-control'],
      mdl: !values['no-mdl'],
      maxTrain: cap(values['max-train'], DEFAULTS.quickTrainCap),
      maxTest: cap(values['max-test'], DEFAULTS.quickTestCap),
      onProgress: (stage: string) => progressBar(stage),
      log: (line: string) => printLine(`lab: ${line}`),
    };
    if (models.length > 1) await runComparison({ ...common, models, root: values.out ?? 'figures' });
    else await runLab({ ...common, model: models[0], outDir: values.out ?? join('figures', modelFolderName(models[0])) });
    return 0;
  },
});
