// Probing tasks: CoNLL-U reading, UD- and SST-2-derived tasks, control tasks, summaries.
export type * from './types.js';
export { ConlluError, parseConllu, readConllu, rebuildText } from './conllu.js';
export type { ConlluEmptyNode, ConlluSentence, ConlluToken, ConlluWord } from './conllu.js';
export { baseRelation, treeDepth } from './tree.js';
export { MIN_TRAIN_EXAMPLES } from './assemble.js';
export { NUMBER_LABELS, SENTLEN_BINS, TENSE_LABELS, TREEBANKS, TREEDEPTH_BINS, argumentTarget, shiftPositions, tenseTarget } from './ud.js';
export type { Bin, Target, Treebank } from './ud.js';
export { DEFAULT_SST2_TRAIN_SIZE } from './sst2.js';
export { DEFAULT_DATA_DIR, DEFAULT_TASK_SEED, TASK_REGISTRY, loadTask, loadTasks, taskNames } from './registry.js';
export type { LoadTasksOptions, TaskInfo } from './registry.js';
export { controlTask, hasControlTask } from './control.js';
export { labelCounts, taskStats } from './summary.js';
export type { LabelCount, TaskCounts, TaskStats } from './summary.js';
export { taskToDataFrame, tasksSummaryFrame } from './frames.js';
export { firstSentences, subsampleTask } from './subsample.js';
export { selectTaskNames } from './selection.js';
export { taskExamples } from './examples.js';
export type { ExportedExample, ExportedTask } from './examples.js';
