// Estimators with scikit-learn's small interface: fit / predict / predictProba / score.
// They know nothing of encoders, tasks or experiments: a probe sees a Matrix and labels.
export type { FitInfo, Labels, Probe, ProbeKind, ProbeOptions, Selection } from './types.js';
export { initBackend, type BackendName } from './backend.js';
export { createProbe } from './create.js';
export { LinearProbe } from './linear.js';
export { MlpProbe } from './mlp.js';
export { searchL2, holdOut, type L2SearchOptions, type L2Path, type ValidationScore } from './search.js';
export { accuracy, macroF1, majorityAccuracy } from './metrics.js';
export { gaussianClusters, type ClusterOptions } from './synthetic.js';
