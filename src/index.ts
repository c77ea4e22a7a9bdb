// The public entry point: notebooks and users import everything from here.
// Layers, bottom up: core → tasks | encoder | probe | results → study, viz → report → cli.
export * from './core/index.js';
export * from './tasks/index.js';
export * from './encoder/index.js';
export * from './probe/index.js';
export * from './results/index.js';
export * from './study/index.js';
export * from './viz/index.js';
export * from './report/index.js';
