import { parseArgs } from 'node:util';
import { Encoder } from '../encoder/encoder.js';
import { progressBar } from '../io/progress.js';
import { initBackend } from '../probe/backend.js';
import { writeResultsCsv, writeSummaryCsv } from '../probe/csv.js';
import type { ProbeKind } from '../probe/types.js';
import { loadTasks } from '../tasks/registry.js';
import { probeTasks } from '../study/probe-tasks.js';
import { UsageError, type Command } from './command.js';
import { MODEL_OPTIONS, choiceOption, integerOption, modelSettings, noPositionals, requiredOption, taskListOption } from './options.js';

const POOLINGS = ['mean', 'cls', 'max', 'first', 'last'] as const;

const usage = `usage: layerwise probe --model <id|dir> --task <name|en|ru|all|a,b,…> --out results.csv
                       [--probe linear|mlp] [--pooling mean|cls|max|first|last] [--seeds N]
                       [--control] [--mdl] [--dtype fp32|q8] [--batch-size N] [--offline]

Extracts what each task needs (through the cache), trains a probe on every layer for every
seed, and writes long-format results (task,layer,probe,seed,metric,value) plus a summary
next to them (results.summary.csv: best and expected layer, selectivity, MDL).
  --pooling     sentence tasks: mean, cls or max; word tasks: first, mean or last subword
                (mean serves both; default mean)
  --control     also train on the control task (Hewitt & Liang 2019): control_accuracy, selectivity
  --mdl         also measure the online codelength (Voita & Titov 2020): mdl_bits, mdl_compression`;

export function summaryPath(resultsPath: string): string {
  return resultsPath.replace(/(\.csv)?$/i, '.summary.csv');
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'train a probe on every layer for probing tasks and write the results CSV',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...MODEL_OPTIONS,
        task: { type: 'string' },
        out: { type: 'string' },
        probe: { type: 'string' },
        pooling: { type: 'string' },
        seeds: { type: 'string' },
        control: { type: 'boolean' },
        mdl: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    noPositionals(positionals);
    const { model, dtype, offline, batchSize } = modelSettings(values);
    const out = requiredOption(values.out, 'out');
    const names = taskListOption(requiredOption(values.task, 'task'));
    const probe = choiceOption<ProbeKind>(values.probe, 'probe', ['linear', 'mlp'], 'linear');
    const pooling = choiceOption(values.pooling, 'pooling', POOLINGS, 'mean');
    const seeds = integerOption(values.seeds, 'seeds', 3);
    if (seeds < 1) throw new UsageError('--seeds must be at least 1');

    const tasks = loadTasks(names);
    const encoder = await Encoder.load(model, { dtype, offline });
    try {
      const result = await probeTasks(encoder, tasks, {
        probe,
        pooling,
        seeds,
        control: Boolean(values.control),
        mdl: Boolean(values.mdl),
        batchSize,
        onProgress: (stage) => progressBar(stage),
      });
      writeResultsCsv(out, result.rows);
      writeSummaryCsv(summaryPath(out), result.summaries);
      console.error(`wrote ${out} (${result.rows.length} rows) and ${summaryPath(out)}; tfjs backend ${await initBackend()}, extraction ${result.seconds.extract.toFixed(1)} s, probes ${result.seconds.probe.toFixed(1)} s`);
      return 0;
    } finally {
      await encoder.dispose();
    }
  },
};
