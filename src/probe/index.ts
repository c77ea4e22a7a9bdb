// Probing: tfjs probes with a scikit-learn style interface, the layer-wise protocol, results.
export type { FitInfo, Labels, Matrix, Metric, Probe, ProbeKind, ProbeOptions, ResultRow, TaskSummary } from './types.js';
export { initBackend, type BackendName } from './backend.js';
export { createProbe } from './create.js';
export { LinearProbe } from './linear.js';
export { MlpProbe } from './mlp.js';
export { layerMatrix } from './matrix.js';
export { accuracy, macroF1, majorityAccuracy } from './metrics.js';
export { MDL_BLOCK_FRACTIONS, onlineCodelength, type OnlineCode } from './mdl.js';
export { fitAndScore, seedList, type LayerScore } from './fit.js';
export { probeLayers, type ProbeLayersOptions, type ProbeFeatures, type ProbeLayersResult } from './protocol.js';
export { expectedLayer, summarizeResults, summarizeTask } from './summary.js';
export { meanCI, tQuantile975, type MeanCI } from './stats.js';
export { formatResultsCsv, formatSummaryCsv, readResultsCsv, writeResultsCsv, writeSummaryCsv } from './csv.js';
export { layerStatsFrame, resultsFrame, summaryFrame } from './frames.js';
export { gaussianClusters, type ClusterOptions } from './synthetic.js';
