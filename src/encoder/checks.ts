import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TappedModel } from './session.js';

/**
 * Checks of what a user hands `Encoder.load`: a model argument that is meant as a local path, and a
 * config.json that must describe the ONNX graph beside it (a wrong width silently mixes NaNs into
 * the vectors; a missing one gave zero-width arrays).
 */

/** What configs call the width of the hidden states and the number of layers, by model family. */
const WIDTH_KEYS = ['hidden_size', 'dim', 'd_model', 'n_embd'] as const;
const DEPTH_KEYS = ['num_hidden_layers', 'n_layers', 'num_layers', 'n_layer'] as const;

/**
 * Throws a path error when `idOrDir` is not a folder but is plainly meant as one (it starts like a
 * path or has more than one `/`, which no hub id has), so a typo is not reported as "the hub has
 * no such model". A file instead of a folder is an error too.
 */
export function checkModelPath(idOrDir: string): void {
  if (existsSync(idOrDir)) {
    if (!statSync(idOrDir).isDirectory()) throw new Error(`${idOrDir} is a file; give the model folder (with config.json, tokenizer.json and onnx/)`);
    return;
  }
  const pathLike = /^(\.|~|\/)/.test(idOrDir) || idOrDir.includes('\\') || idOrDir.split('/').length > 2;
  if (!pathLike) return;
  let parent = dirname(idOrDir);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  throw new Error(`no model folder ${idOrDir}${existsSync(parent) ? ` (${parent} exists, but not what follows)` : ''}; check the path`);
}

/** The first of `keys` the config sets, as [name, value]. */
function declared(config: object, keys: readonly string[]): [string, unknown] | undefined {
  const record = config as Record<string, unknown>;
  const key = keys.find((k) => record[k] !== undefined && record[k] !== null);
  return key === undefined ? undefined : [key, record[key]];
}

/**
 * The config with `hidden_size` taken from the graph itself (the taps' widths, checked on a probe
 * run when the model was opened), after checking that the config's own width and layer count,
 * whatever it calls them, agree with it.
 */
export function checkConfigAgainstGraph<C extends object>(configPath: string, config: C, model: Pick<TappedModel, 'hiddenSize' | 'numHiddenStates'>): C & { hidden_size: number } {
  const width = model.hiddenSize;
  const layers = model.numHiddenStates - 1;
  const fix = 'the config does not belong to this model: use the config.json exported with it';
  const declaredWidth = declared(config, WIDTH_KEYS);
  if (declaredWidth && declaredWidth[1] !== width) throw new Error(`${configPath}: ${declaredWidth[0]} is ${JSON.stringify(declaredWidth[1])} but the ONNX graph's hidden states are ${width} wide; ${fix}`);
  const declaredDepth = declared(config, DEPTH_KEYS);
  if (declaredDepth && declaredDepth[1] !== layers) throw new Error(`${configPath}: ${declaredDepth[0]} is ${JSON.stringify(declaredDepth[1])} but the ONNX graph has ${layers} encoder layers; ${fix}`);
  return { ...config, hidden_size: width };
}
