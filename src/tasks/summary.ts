import type { DroppedLabel, ProbingTask, TaskCategory, TaskLevel } from './types.js';

/** Examples per label in each split. */
export interface LabelCount {
  label: string;
  train: number;
  test: number;
}

/** A task's size at a glance; train/test count examples (words for word-level tasks, sentences otherwise). */
export interface TaskCounts {
  name: string;
  level: TaskLevel;
  category: TaskCategory;
  classes: number;
  train: number;
  test: number;
}

export interface TaskStats extends TaskCounts {
  labelCounts: LabelCount[];
  dropped: DroppedLabel[];
}

export function labelCounts(task: ProbingTask): LabelCount[] {
  const counts = task.labels.map((label) => ({ label, train: 0, test: 0 }));
  for (const ex of task.train.examples) counts[ex.label].train++;
  for (const ex of task.test.examples) counts[ex.label].test++;
  return counts;
}

export function taskStats(task: ProbingTask): TaskStats {
  return {
    name: task.name,
    level: task.level,
    category: task.category,
    classes: task.labels.length,
    train: task.train.examples.length,
    test: task.test.examples.length,
    labelCounts: labelCounts(task),
    dropped: task.dropped ?? [],
  };
}
