import type { Baseline } from '../../results/types.js';
import type { TaskCategory, TaskLevel } from '../../tasks/types.js';
import type { Block } from '../document.js';

export const LANGUAGES = ['en', 'ru'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** The figures of a lab report, by file name. */
export const LAB_FIGURES = ['accuracy-curves', 'heatmap', 'selectivity-curves', 'mdl-curves', 'layer-similarity', 'sentence-scatter', 'context-bank', 'attention-overview'] as const;
export type LabFigure = (typeof LAB_FIGURES)[number];

/** Numbers in the report's language (decimal comma in Russian): `digits` decimals; NaN is a dash. */
export type NumberFormat = (x: number, digits?: number) => string;

/** One task's evidence, as `findings` in report.ts reads it off the statistics. */
export interface TaskFinding {
  task: string;
  bestLayer: string;
  accuracy: number;
  low: number;
  high: number;
  /** The best layer against the embeddings (paired bootstrap); absent when not measured (best layer = emb). */
  emb?: { gain: number; p: number; verdict: 'better' | 'worse' | 'unclear' };
  /** The strongest baseline, and whether the best layer's interval lies above it. */
  baseline?: { name: Baseline; value: number; below: boolean };
  /** Word tasks: test words whose type was / was not seen in training; and selectivity (control tasks). */
  seenUnseen?: { seen: number; unseen: number };
  selectivity?: number;
}

/** One comparison claim: model a's interval on a task lies entirely above model b's, or they overlap. */
export interface ComparisonFinding {
  task: string;
  models: ReadonlyArray<{ name: string; layer: string; accuracy: number; low: number; high: number; relativeDepth: number }>;
  /** Index of the model whose interval lies above every other's, if one does. */
  winner?: number;
}

/** What a run knows about its own settings beyond the result rows (everything optional: a notebook may not know them). */
export interface RunSettings {
  dtype?: string;
  hiddenSize?: number;
  sentencePooling?: string;
  wordPooling?: string;
  backend?: string;
  maxTrain?: number;
  maxTest?: number;
  seconds?: { extract: number; probe: number; total: number };
  /** The host: its CPU, extraction's threads, and ONNX Runtime's fp32 MatMul rate measured at the run's start and end (core/matmul-rate.ts). */
  machine?: { cpu: string; threads: number; shape: readonly number[]; gflopS: { start: number; end: number } };
}

/** What the settings table says about a run (read from the run itself). */
export interface SettingsView extends RunSettings {
  model: string;
  hiddenStates: number;
  probe: string;
  seeds: number;
  control: boolean;
  mdl: boolean;
  /** The task probes' final fits (task × layer × seed), and how many of them the iteration or epoch limit stopped. */
  fits?: { total: number; limited: number };
}

/**
 * Every word a report says, one implementation per language: a string missing in one language
 * is a compile error. Text may use `code`, **bold** and *italic* (see document.ts).
 */
export interface ReportText {
  lang: Lang;
  num: NumberFormat;
  /** A 95% interval, `[0.800, 0.930]` (Russian separates with `;`: the comma is decimal). */
  interval(low: number, high: number): string;
  /** A p-value: `0.023`, or `< 0.001` (a bootstrap p of 0 is below its resolution). */
  pValue(p: number): string;
  /** Plotly's decimal and thousands separators for this language. */
  separators: string;
  title(model: string): string;
  subtitle(date: string): string;
  notRendered(reason: string): string;
  /** In place of a figure whose image was not rendered. */
  figureMissing: string;
  sections: { theory: string; system: string; results: string; conclusions: string; sources: string };
  theory: readonly Block[];
  system: {
    intro: readonly Block[];
    model(model: string, layers: number, hiddenSize: number | undefined, citation: string): string;
    tasksIntro: string;
    tasksHeader: readonly string[]; // task, category, level, classes, train, test, data
    level: Record<TaskLevel, string>;
    category: Record<TaskCategory | 'other', string>;
    protocol(view: SettingsView): readonly string[];
    statistics: readonly string[];
    settingsCaption: string;
    settingsHeader: readonly [string, string];
    settings(view: SettingsView): ReadonlyArray<readonly [string, string]>;
  };
  results: {
    intro: string;
    mainCaption: string;
    mainHeader: readonly string[]; // task, majority, other baselines, best layer, accuracy [CI], gain over emb (p), seen/unseen
    baselineName: Record<Baseline, string>;
    extraCaption: string;
    extraHeader: readonly string[]; // task, expected layer, selectivity, MDL kbits, compression
    figures: Record<LabFigure, string>;
    geometryIntro: string;
    geometryHeader: readonly string[];
  };
  conclusions: {
    intro: string;
    task(f: TaskFinding): string;
    category(category: string, meanExpectedLayer: number, tasks: number): string;
    bank(already: boolean, firstGap: number, widestLayer: string, widestGap: number): string;
    limitsTitle: string;
    limits: readonly string[];
  };
  sources: { intro: string; model(model: string, url: string | undefined): string };
  figure: {
    layer: string;
    depth: string;
    accuracy: string;
    selectivity: string;
    mdl: string;
    normalised: string;
    expected: string;
    baselines: Record<Baseline, string>;
    control: string;
    best: string;
    band: string;
    /** `byDev`: the star is the best layer on dev (viz's `starsDevLayer`); else the layer where the plotted value is highest. */
    gridTitle(metric: string, byDev: boolean): string;
    heatmapTitle: string;
    comparisonTitle: string;
    /** Axis and annotation words of the exploration figures (their builders speak English), translated. */
    words: Readonly<Record<string, string>>;
    titles: Partial<Record<LabFigure, string>>;
  };
  comparison: {
    title(models: readonly string[]): string;
    subtitle(date: string): string;
    intro: string;
    header(models: readonly string[]): readonly string[];
    caption: string;
    figure: string;
    finding(f: ComparisonFinding): string;
    limits: readonly string[];
  };
}

/** `Intl.NumberFormat` with a fixed number of decimals, one formatter per digit count. */
export function numberFormat(locale: string): NumberFormat {
  const cache = new Map<number, Intl.NumberFormat>();
  return (x, digits = 3) => {
    if (!Number.isFinite(x)) return '–';
    let f = cache.get(digits);
    if (!f) cache.set(digits, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
    return f.format(x);
  };
}
