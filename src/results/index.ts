// Results of probing: long-format rows, per-task summaries, CSV files and frames for people.
export type { Baseline, Metric, PredictionRow, ProbeName, ResultRow, TaskSummary } from './types.js';
export { BASELINES, METRICS, NO_LAYER, SUMMARY_COLUMNS, isBaseline } from './types.js';
export { bootstrapAccuracy, clusterResamples, pairedBootstrap, resamplesBySeed, type AccuracyInterval, type BootstrapOptions, type PairedDifference } from './bootstrap.js';
export { expectedLayer, layerMeans, summarizeResults, summarizeTask } from './summary.js';
export { writePredictionsCsv, predictionsCsv } from './predictions.js';
export { formatResultsCsv, formatSummaryCsv, readResultsCsv, writeResultsCsv, writeSummaryCsv } from './csv.js';
export { resultsFrame, seedSpreadFrame, summaryFrame } from './frames.js';
