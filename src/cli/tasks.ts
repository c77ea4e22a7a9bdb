import { DEFAULT_DATA_DIR, DEFAULT_TASK_SEED, loadTasks } from '../tasks/registry.js';
import { DEFAULT_SST2_TRAIN_SIZE } from '../tasks/sst2.js';
import { taskExamples } from '../tasks/examples.js';
import { taskStats, type TaskStats } from '../tasks/summary.js';
import { UsageError, defineCommand } from './options.js';

function table(stats: readonly TaskStats[]): string {
  const header = ['name', 'level', 'category', 'classes', 'train', 'test', 'dropped labels (train/test examples)'];
  const rows = stats.map((s) => [s.name, s.level, s.category, String(s.classes), String(s.train), String(s.test), s.dropped.map((d) => `${d.label} (${d.train}/${d.test})`).join(', ')]);
  const numeric = new Set([3, 4, 5]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const format = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}

export const tasksCommand = defineCommand({
  name: 'tasks',
  summary: 'list the probing tasks with their classes and example counts',
  description: `Builds every probing task and lists it with its number of classes and of train/test
examples (words for word-level tasks, sentences for sentence-level ones).
With --json: [{"name","level","category","classes","train","test"}].
With --task T --examples: task T's examples as JSON {"name","train","test"}, each example
{"id","sentence_id","text","label"} + "target": {"index","form"} and "swap": [i, i+1] where they
apply (UD word ids, 1-based).`,
  options: {
    json: { type: 'boolean', help: 'print JSON instead of a table' },
    task: { type: 'string', placeholder: 'T', help: 'with --examples: the task whose examples to print' },
    examples: { type: 'boolean', help: "print --task's examples (ids, texts, labels, targets, swaps) as JSON" },
    'data-dir': { type: 'string', placeholder: 'DIR', default: DEFAULT_DATA_DIR, help: "data folder (the package's data/)" },
    seed: { type: 'integer', min: 0, default: DEFAULT_TASK_SEED, help: 'seed for bshift, the balanced samples and the SST-2 subsample' },
    'sst2-train-size': { type: 'integer', min: 1, default: DEFAULT_SST2_TRAIN_SIZE, help: 'SST-2 training examples to sample' },
  },
  async run(values) {
    if (values.examples !== (values.task !== undefined)) throw new UsageError('--task and --examples go together: --task T --examples');
    const tasks = loadTasks(values.task === undefined ? undefined : [values.task], {
      dataDir: values['data-dir'],
      seed: values.seed,
      sst2TrainSize: values['sst2-train-size'],
    });
    const stats = tasks.map(taskStats);
    if (values.examples) {
      console.log(JSON.stringify(taskExamples(tasks[0])));
    } else if (values.json) {
      console.log(JSON.stringify(stats.map(({ name, level, category, classes, train, test }) => ({ name, level, category, classes, train, test })), null, 2));
    } else {
      console.log(table(stats));
    }
    return 0;
  },
});
