import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command.js';
import { integerOption } from './options.js';
import { DEFAULT_DATA_DIR, DEFAULT_TASK_SEED, loadTasks } from '../tasks/registry.js';
import { DEFAULT_SST2_TRAIN_SIZE } from '../tasks/sst2.js';
import { taskExamples } from '../tasks/examples.js';
import { taskSummary, type TaskStats } from '../tasks/summary.js';

const usage = `usage: layerwise tasks [--json] [--data-dir DIR] [--seed N] [--sst2-train-size N]
       layerwise tasks --task T --examples [--json] [...]

Builds every probing task and lists it with its number of classes and of train/test
examples (words for word-level tasks, sentences for sentence-level ones).

  --json               print [{"name","level","category","classes","train","test"}]
  --task T --examples  print task T's examples as JSON: {"name","train","test"}, each example
                       {"id","sentence_id","text","label"} + "target": {"index","form"} and
                       "swap": [i, i+1] where they apply (UD word ids, 1-based)
  --data-dir DIR       data folder (default: the package's data/, ${DEFAULT_DATA_DIR})
  --seed N             seed for bshift, the balanced samples and the SST-2 subsample (default ${DEFAULT_TASK_SEED})
  --sst2-train-size N  SST-2 training examples to sample (default ${DEFAULT_SST2_TRAIN_SIZE})`;

function table(stats: readonly TaskStats[]): string {
  const header = ['name', 'level', 'category', 'classes', 'train', 'test', 'dropped labels (train/test examples)'];
  const rows = stats.map((s) => [s.name, s.level, s.category, String(s.classes), String(s.train), String(s.test), s.dropped.map((d) => `${d.label} (${d.train}/${d.test})`).join(', ')]);
  const numeric = new Set([3, 4, 5]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const format = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}

export const tasksCommand: Command = {
  name: 'tasks',
  summary: 'list the probing tasks with their classes and example counts',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, task: { type: 'string' }, examples: { type: 'boolean' }, 'data-dir': { type: 'string' }, seed: { type: 'string' }, 'sst2-train-size': { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (Boolean(values.examples) !== (values.task !== undefined)) throw new UsageError('--task and --examples go together: --task T --examples');
    const tasks = loadTasks(values.task === undefined ? undefined : [values.task], {
      dataDir: values['data-dir'],
      seed: integerOption(values.seed, 'seed', DEFAULT_TASK_SEED),
      sst2TrainSize: integerOption(values['sst2-train-size'], 'sst2-train-size', DEFAULT_SST2_TRAIN_SIZE),
    });
    const stats = tasks.map(taskSummary);
    if (values.examples) {
      console.log(JSON.stringify(taskExamples(tasks[0])));
    } else if (values.json) {
      console.log(JSON.stringify(stats.map(({ name, level, category, classes, train, test }) => ({ name, level, category, classes, train, test })), null, 2));
    } else {
      console.log(table(stats));
    }
    return 0;
  },
};
