import type { Dtype } from '../encoder/encoder.js';
import { TASK_REGISTRY } from '../tasks/registry.js';
import { UsageError } from './command.js';

/** A non-negative integer option, or `fallback` when absent. */
export function integerOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** A required string option. */
export function requiredOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** An option restricted to a set of choices. */
export function choiceOption<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Options of every command that loads a model. */
export const MODEL_OPTIONS = {
  model: { type: 'string', default: 'Xenova/roberta-base' },
  dtype: { type: 'string' },
  offline: { type: 'boolean' },
  'batch-size': { type: 'string' },
} as const;

export function modelSettings(values: { model?: string; dtype?: string; offline?: boolean; 'batch-size'?: string }): { model: string; dtype: Dtype; offline: boolean; batchSize: number } {
  return {
    model: values.model ?? 'Xenova/roberta-base',
    dtype: choiceOption<Dtype>(values.dtype, 'dtype', ['fp32', 'q8'], 'fp32'),
    offline: Boolean(values.offline),
    batchSize: integerOption(values['batch-size'], 'batch-size', 32) || 32,
  };
}

/** Commands take flags only: a stray word is a mistake worth one clear line. */
export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

/** A comma-separated list of task names and groups (`en`, `ru`, `all`), checked against the registry. */
export function taskListOption(value: string): string[] {
  const known = TASK_REGISTRY.map((t) => t.name);
  const expand = (item: string) => (item === 'all' ? known : item === 'en' || item === 'ru' ? TASK_REGISTRY.filter((t) => t.language === item).map((t) => t.name) : [item]);
  const names = [...new Set(value.split(',').map((t) => t.trim()).filter(Boolean).flatMap(expand))];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length || names.length === 0) throw new UsageError(`unknown task ${unknown.join(', ') || `"${value}"`}; use en, ru, all or names from: ${known.join(', ')}`);
  return names;
}
