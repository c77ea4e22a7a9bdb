import { fileURLToPath } from 'node:url';
import type { TaskMeta } from './assemble.js';
import { TaskSource, type ReadText } from './source.js';
import { DEFAULT_SST2_TRAIN_SIZE, sst2Meta, sst2Task } from './sst2.js';
import type { ProbingTask } from './types.js';
import { udTaskEntries } from './ud.js';

/** What a task is, known without reading any data. */
export type TaskInfo = TaskMeta;

/** The package's own data/ folder: two levels up from this module in both src/tasks and dist/tasks. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
export const DEFAULT_TASK_SEED = 0;

export interface LoadTasksOptions {
  dataDir?: string; // default DEFAULT_DATA_DIR
  seed?: number; // every seeded choice: bshift's sentences and swaps, balanced samples (tense, subjnum, objnum, treedepth), SST-2's train subsample
  sst2TrainSize?: number; // default DEFAULT_SST2_TRAIN_SIZE
  readText?: ReadText; // how files are read (tests count reads with it)
}

interface Entry {
  meta: TaskMeta;
  build(source: TaskSource, options: LoadTasksOptions): ProbingTask;
}

const ENTRIES: readonly Entry[] = [
  ...udTaskEntries.filter((e) => e.meta.language === 'en'),
  { meta: sst2Meta, build: (source, options) => sst2Task(source, options.sst2TrainSize ?? DEFAULT_SST2_TRAIN_SIZE) },
  ...udTaskEntries.filter((e) => e.meta.language !== 'en'),
];

/** Every task this package can build, in listing order: English UD, SST-2, then Russian UD (`ru.`). */
export const TASK_REGISTRY: readonly TaskInfo[] = ENTRIES.map((e) => e.meta);

export function taskNames(): string[] {
  return TASK_REGISTRY.map((t) => t.name);
}

/**
 * Builds the named tasks (default: all) in the order asked. One call reads and parses each
 * file once, however many tasks use it; tasks from the same treebank share sentence objects.
 */
export function loadTasks(names?: readonly string[], options: LoadTasksOptions = {}): ProbingTask[] {
  const wanted = names ?? taskNames();
  const entries = wanted.map((name) => {
    const entry = ENTRIES.find((e) => e.meta.name === name);
    if (!entry) throw new Error(`unknown task "${name}"; known tasks: ${taskNames().join(', ')}`);
    return entry;
  });
  const source = new TaskSource(options.dataDir ?? DEFAULT_DATA_DIR, options.seed ?? DEFAULT_TASK_SEED, options.readText);
  return entries.map((e) => e.build(source, options));
}

/** One task by name; see loadTasks. */
export function loadTask(name: string, options: LoadTasksOptions = {}): ProbingTask {
  return loadTasks([name], options)[0];
}
