import { readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';

/** This package's version (from src/ and dist/ alike, package.json is two folders up). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Every default and environment variable layerwise reads, in one place. Library functions and
 * the CLI both take their defaults from here, so `--help`, the README and the code agree.
 */
export const DEFAULTS = {
  model: 'Xenova/roberta-base',
  dtype: 'fp32',
  batchSize: 32,
  sentencePooling: 'mean',
  wordPooling: 'first',
  probe: 'linear',
  seeds: 3,
  /** Examples per task and split in `layerwise lab` (a seeded sample), so a lab fits a lab session. */
  labCap: 4000,
  quickTrainCap: 1500,
  quickTestCap: 1000,
  quickSeeds: 2,
} as const;

/** ONNX weight types as transformers.js names them (each selects one file of a hub repo: see encoder.ts). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type Dtype = (typeof DTYPES)[number];

/** Sentence vectors pool a text's tokens: `cls` is the first token; `mean`/`max` use every real token (special tokens included, padding excluded). */
export const SENTENCE_POOLINGS = ['mean', 'cls', 'max'] as const;
export type SentencePooling = (typeof SENTENCE_POOLINGS)[number];
/** Word vectors pool a word's subword tokens. */
export const WORD_POOLINGS = ['first', 'mean', 'last'] as const;
export type WordPooling = (typeof WORD_POOLINGS)[number];

/** The environment variables layerwise reads, with what each means (printed by `--help`). */
export const ENVIRONMENT = {
  LAYERWISE_CACHE: 'where tapped graphs and the per-sentence extraction store are kept (default ~/.cache/layerwise)',
  LAYERWISE_WORKERS: 'worker threads fitting probes (default: one per core; 1 = in the main thread)',
  LAYERWISE_BACKEND: 'force a tfjs backend: tensorflow, wasm-mlas, wasm or cpu',
  LAYERWISE_CHROMIUM: 'the Chromium used to export PNG/SVG (default: found on PATH; never downloaded)',
  LAYERWISE_DEBUG: 'print stack traces with errors',
  HF_HUB_CACHE: 'the Hugging Face hub cache (default $HF_HOME/hub)',
  HF_HOME: 'the Hugging Face home (default ~/.cache/huggingface)',
  HF_ENDPOINT: 'the hub URL (default https://huggingface.co)',
  HF_TOKEN: 'a hub access token, for gated models',
} as const;

type EnvName = keyof typeof ENVIRONMENT;

function env(name: EnvName): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function layerwiseCacheDir(): string {
  return env('LAYERWISE_CACHE') ?? join(homedir(), '.cache', 'layerwise');
}

export function huggingFaceHubCache(): string {
  const hub = env('HF_HUB_CACHE');
  if (hub) return hub;
  const home = env('HF_HOME') ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

export function huggingFaceEndpoint(): string | undefined {
  return env('HF_ENDPOINT');
}

export function huggingFaceToken(): string | undefined {
  return env('HF_TOKEN');
}

/** Probe worker threads: `LAYERWISE_WORKERS` (a positive integer) or one per core. */
export function workerCount(): number {
  const value = env('LAYERWISE_WORKERS');
  if (value === undefined) return availableParallelism();
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`LAYERWISE_WORKERS must be a positive integer, got "${value}"`);
  return Number(value);
}

export function forcedBackend(): string | undefined {
  return env('LAYERWISE_BACKEND');
}

export function chromiumOverride(): string | undefined {
  return env('LAYERWISE_CHROMIUM');
}

export function debugEnabled(): boolean {
  return env('LAYERWISE_DEBUG') !== undefined;
}
