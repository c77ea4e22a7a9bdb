// Results of probing: long-format rows, per-task summaries, CSV files and frames for people.
export type { Metric, ProbeName, ResultRow, TaskSummary } from './types.js';
export { METRICS } from './types.js';
export { expectedLayer, layerMeans, summarizeResults, summarizeTask } from './summary.js';
export { formatResultsCsv, formatSummaryCsv, readResultsCsv, writeResultsCsv, writeSummaryCsv } from './csv.js';
export { resultsFrame, seedSpreadFrame, summaryFrame } from './frames.js';
