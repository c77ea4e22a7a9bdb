import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { DEFAULTS } from '../core/config.js';
import { TASK_REGISTRY } from '../tasks/registry.js';
import type { LabOptions } from './lab.js';

/** Everything that changes a lab's results.csv (not how it is drawn or how fast it runs). */
export interface LabSettings {
  model: string;
  dtype: string;
  tasks: string[];
  probe: string;
  seeds: number;
  control: boolean;
  mdl: boolean;
  sentencePooling: string;
  wordPooling: string;
  maxTrain: number | null;
  maxTest: number | null;
}

export const SETTINGS_FILE = 'settings.json';

/** The settings a lab run with these options uses, defaults filled in as `runLab` fills them. */
export function resolveLabSettings(o: Omit<LabOptions, 'outDir'>): LabSettings {
  return {
    model: o.model ?? DEFAULTS.model,
    dtype: o.dtype ?? DEFAULTS.dtype,
    tasks: [...(o.tasks ?? TASK_REGISTRY.filter((t) => t.language === 'en').map((t) => t.name))],
    probe: o.probe ?? DEFAULTS.probe,
    seeds: o.seeds ?? DEFAULTS.seeds,
    control: o.control ?? true,
    mdl: o.mdl ?? true,
    sentencePooling: o.sentencePooling ?? DEFAULTS.sentencePooling,
    wordPooling: o.wordPooling ?? DEFAULTS.wordPooling,
    maxTrain: o.maxTrain ?? null,
    maxTest: o.maxTest ?? null,
  };
}

/** A folder name for a model: `Xenova/roberta-base` → `Xenova-roberta-base`. */
export function modelFolderName(model: string): string {
  return model.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
}

export function writeRunSettings(dir: string, settings: LabSettings): void {
  writeFileAtomic(join(dir, SETTINGS_FILE), JSON.stringify(settings, null, 2) + '\n');
}

/** The settings a folder's results were measured with; undefined when it has no results or no settings file. */
export function readRunSettings(dir: string): LabSettings | undefined {
  const path = join(dir, SETTINGS_FILE);
  if (!existsSync(path) || !existsSync(join(dir, 'results.csv'))) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as LabSettings;
}

export function sameSettings(a: LabSettings, b: LabSettings): boolean {
  const keys = Object.keys(a).sort() as Array<keyof LabSettings>;
  return keys.length === Object.keys(b).length && keys.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}
