// Encoders: load (hub or folder), tap the ONNX graph, run it, pool. Returns core activations.
export { Encoder } from './encoder.js';
export type { Dtype, LoadOptions, ExtractOptions, TokenOptions } from './encoder.js';
export type { TapPlan } from './taps.js';
