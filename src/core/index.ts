// Shared pieces every module stands on: activations and matrices, vectors, statistics,
// the seeded random generator, defaults and environment, files written atomically, progress,
// the host's MatMul rate.
export { ActivationCache, LayerStack, SentenceVectors, WordVectors, layerName, layerNames, matrixRow, selectRows } from './activations.js';
export type { EmbeddingComponent, LayerRef, Matrix } from './activations.js';
export { DEFAULTS, ENVIRONMENT, SENTENCE_POOLINGS, WORD_POOLINGS, type SentencePooling, type WordPooling } from './config.js';
export { cosineSimilarity, dot, norm } from './vectors.js';
export { layerGeometry, type LayerGeometry } from './geometry.js';
export { embeddingsFrame, layerGeometryFrame } from './frames.js';
export { meanCI, tQuantile975, type MeanCI } from './stats.js';
export { Random } from './random.js';
export { readNpy, writeNpy, type NpyArray } from './npy.js';
export { writeFileAtomic } from './atomic.js';
export type { Progress, ProgressCallback } from './progress.js';
export { cpuModel, measureMatmulRate, type MatmulRate, type MatmulRateOptions } from './matmul-rate.js';
