import * as dfd from 'danfojs-node';
import type { LayerRef, LayerStack } from './activations.js';
import { layerGeometry } from './geometry.js';

/**
 * A frame whose columns are `columns`, filled by name (Danfo's `columns` option renames by position).
 * Frames are the view for people; the numbers live in typed arrays.
 */
export function frameOf(records: ReadonlyArray<object>, columns: readonly string[]): dfd.DataFrame {
  return new dfd.DataFrame(records.map((r) => columns.map((c) => (r as Record<string, string | number>)[c])), { columns: [...columns] });
}

/**
 * One layer's vectors as a table: `id`, `text` (when the stack has texts), optional `label`, then
 * one column per dimension (`d0`, `d1`, …).
 */
export function embeddingsFrame(stack: LayerStack & { texts?: readonly string[] }, layer: LayerRef, options: { labels?: ReadonlyArray<string | number>; texts?: readonly string[] } = {}): dfd.DataFrame {
  const { data, rows, cols } = stack.layer(layer);
  const texts = options.texts ?? stack.texts;
  const columns: Record<string, Array<string | number>> = { id: Array.from({ length: rows }, (_, i) => i) };
  if (texts) columns.text = texts.slice(0, rows);
  if (options.labels) columns.label = options.labels.slice(0, rows);
  for (let d = 0; d < cols; d++) columns[`d${d}`] = Array.from({ length: rows }, (_, r) => data[r * cols + d]);
  return new dfd.DataFrame(columns);
}

/** `layerGeometry` as a frame: one row per layer with `layer`, `norm`, `mean_cosine_to_previous_layer`, … */
export function layerGeometryFrame(stack: LayerStack): dfd.DataFrame {
  return frameOf(layerGeometry(stack), ['layer', 'layer_name', 'norm', 'mean_cosine_to_previous_layer', 'mean_pairwise_cosine']);
}
