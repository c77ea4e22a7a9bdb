import { DEFAULTS } from '../core/config.js';
import { progressBar } from '../core/progress.js';
import { MODEL_OPTIONS, POOLING_OPTIONS, PROBE_OPTIONS, defineCommand } from './options.js';

export function summaryPath(resultsPath: string): string {
  return resultsPath.replace(/(\.csv)?$/i, '.summary.csv');
}

export const probeCommand = defineCommand({
  name: 'probe',
  summary: 'train a probe on every layer for probing tasks and write the results CSV',
  description: `Extracts what each task needs (through the cache), trains a probe on every layer for every
seed, and writes long-format results (task,layer,probe,seed,metric,value) plus a summary
next to them (results.summary.csv: best and expected layer, selectivity, MDL).`,
  options: {
    ...MODEL_OPTIONS,
    task: { type: 'string', placeholder: '<name|en|ru|all|a,b,…>', required: true, help: 'task names or groups, comma-separated' },
    out: { type: 'string', placeholder: 'results.csv', required: true, help: 'the results CSV to write' },
    ...PROBE_OPTIONS,
    ...POOLING_OPTIONS,
    seeds: { type: 'integer', min: 1, default: DEFAULTS.seeds, help: 'probe seeds per layer' },
    control: { type: 'boolean', help: 'also train on the control task (Hewitt & Liang 2019): control_accuracy, selectivity' },
    mdl: { type: 'boolean', help: 'also measure the online codelength (Voita & Titov 2020): mdl_bits, mdl_compression' },
    predictions: { type: 'string', placeholder: 'preds.csv', help: 'also write every dev and test prediction: task,layer,probe,seed,split,example_id,sentence_id,gold,pred' },
  },
  environment: ['LAYERWISE_CACHE', 'LAYERWISE_WORKERS', 'HF_HUB_CACHE'],
  async run(values) {
    const [{ selectTaskNames }, { loadTasks }, { Encoder }, { probeTasks }, { initBackend }, { writeResultsCsv, writeSummaryCsv }, { writePredictionsCsv }] = await Promise.all([
      import('../tasks/selection.js'),
      import('../tasks/registry.js'),
      import('../encoder/encoder.js'),
      import('../study/probe-tasks.js'),
      import('../probe/backend.js'),
      import('../results/csv.js'),
      import('../results/predictions.js'),
    ]);
    const tasks = loadTasks(selectTaskNames(values.task));
    const encoder = await Encoder.load(values.model, { dtype: values.dtype, offline: values.offline });
    try {
      const result = await probeTasks(encoder, tasks, {
        probe: values.probe,
        sentencePooling: values['sentence-pooling'],
        wordPooling: values['word-pooling'],
        seeds: values.seeds,
        control: values.control,
        mdl: values.mdl,
        predictions: values.predictions !== undefined,
        batchSize: values['batch-size'],
        onProgress: (stage) => progressBar(stage),
      });
      writeResultsCsv(values.out, result.rows);
      writeSummaryCsv(summaryPath(values.out), result.summaries);
      if (values.predictions !== undefined) writePredictionsCsv(values.predictions, result.predictions!);
      console.error(`wrote ${values.out} (${result.rows.length} rows) and ${summaryPath(values.out)}; tfjs backend ${await initBackend()}, extraction ${result.seconds.extract.toFixed(1)} s, probes ${result.seconds.probe.toFixed(1)} s`);
      return 0;
    } finally {
      await encoder.dispose();
    }
  },
});
