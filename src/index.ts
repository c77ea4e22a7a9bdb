// The public entry point: notebooks and users import everything from here.
export * from './encoder/index.js';
export * from './tasks/index.js';
export * from './probe/index.js';
export * from './viz/index.js';
export * from './io/npy.js';
export type { Progress, ProgressCallback } from './io/progress.js';
