import { TASK_REGISTRY } from './registry.js';

/**
 * Task names from a comma-separated list of names and groups (`en`, `ru`, `all`), in registry
 * order within a group, duplicates dropped. Unknown names are an error listing the known ones.
 */
export function selectTaskNames(list: string): string[] {
  const known = TASK_REGISTRY.map((t) => t.name);
  const expand = (item: string) => (item === 'all' ? known : item === 'en' || item === 'ru' ? TASK_REGISTRY.filter((t) => t.language === item).map((t) => t.name) : [item]);
  const names = [...new Set(list.split(',').map((t) => t.trim()).filter(Boolean).flatMap(expand))];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length || names.length === 0) throw new Error(`unknown task ${unknown.join(', ') || `"${list}"`}; use en, ru, all or names from: ${known.join(', ')}`);
  return names;
}
