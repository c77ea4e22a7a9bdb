import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { progressBar } from '../io/progress.js';
import type { ProbeKind } from '../probe/types.js';
import { runStudy } from '../study/run.js';
import { UsageError, type Command } from './command.js';
import { MODEL_OPTIONS, choiceOption, integerOption, modelSettings, noPositionals, taskListOption } from './options.js';

const usage = `usage: layerwise lab [--model <id|dir>] [--out DIR] [--tasks en|ru|all|a,b,…] [--probe linear|mlp]
                     [--seeds N] [--pooling mean|cls|max|first|last] [--no-control] [--no-mdl]
                     [--max-train N] [--max-test N] [--full | --quick] [--dtype fp32|q8] [--batch-size N] [--offline]

Runs the whole layer study and writes DIR/report.md (tables, findings, figures as PNG/SVG),
DIR/report.html (interactive figures), DIR/results.csv and DIR/summary.csv.
  --model    hub id or local folder (default Xenova/roberta-base; downloaded once)
  --out      output folder (default figures/<model>)
  --tasks    en (default: the English tasks), ru, all, or a comma-separated list
  --max-train, --max-test
             cap each task's examples (a seeded sample; default 4000 each, which keeps
             roberta-base on a laptop within the time of a lab session)
  --full     every example of every task (word-level tasks have ~25,000: hours on 2 cores)
  --quick    at most 1500 train / 1000 test examples per task and 2 seeds`;

const DEFAULT_CAP = 4000;

export const labCommand: Command = {
  name: 'lab',
  summary: 'run the whole study (probes, figures, report) in one command',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...MODEL_OPTIONS,
        out: { type: 'string' },
        tasks: { type: 'string', default: 'en' },
        probe: { type: 'string' },
        seeds: { type: 'string' },
        pooling: { type: 'string' },
        'no-control': { type: 'boolean' },
        'no-mdl': { type: 'boolean' },
        'max-train': { type: 'string' },
        'max-test': { type: 'string' },
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    noPositionals(positionals);
    const { model, dtype, offline, batchSize } = modelSettings(values);
    const tasks = taskListOption(values.tasks!);
    const outDir = values.out ?? join('figures', model.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, ''));
    const quick = Boolean(values.quick);
    if (quick && values.full) throw new UsageError('--quick and --full contradict each other: pick one');
    const cap = (value: string | undefined, name: string, quickCap: number) => (values.full ? undefined : integerOption(value, name, quick ? quickCap : DEFAULT_CAP) || undefined);
    await runStudy({
      model,
      outDir,
      tasks,
      dtype,
      offline,
      batchSize,
      probe: choiceOption<ProbeKind>(values.probe, 'probe', ['linear', 'mlp'], 'linear'),
      seeds: integerOption(values.seeds, 'seeds', quick ? 2 : 3) || 1,
      pooling: choiceOption(values.pooling, 'pooling', ['mean', 'cls', 'max', 'first', 'last'] as const, 'mean'),
      control: !values['no-control'],
      mdl: !values['no-mdl'],
      maxTrain: cap(values['max-train'], 'max-train', 1500),
      maxTest: cap(values['max-test'], 'max-test', 1000),
      onProgress: (stage) => progressBar(stage),
      log: (line) => console.error(`lab: ${line}`),
    });
    return 0;
  },
};
