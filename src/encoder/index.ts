export { Encoder } from './encoder.js';
export type { Dtype, LoadOptions, ExtractOptions, PooledEmbeddings, WordEmbeddings, TokenActivations, TokenOptions } from './encoder.js';
export type { Pooling, WordPooling } from './pool.js';
export type { TapPlan } from './taps.js';
export { layerNames, type LayerMatrices } from './types.js';
export { embedTask, TaskFeatureSource, type TaskFeatures, type TaskFeatureOptions } from './task-features.js';
export { embeddingsFrame, layerStats, layerSummaryFrame, type LayerStats } from './frames.js';
