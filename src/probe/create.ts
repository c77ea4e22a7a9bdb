import { LinearProbe } from './linear.js';
import { MlpProbe } from './mlp.js';
import type { Probe, ProbeOptions } from './types.js';

/** A new, unfitted probe of `options.kind`. Call `await initBackend()` once before fitting. */
export function createProbe(options: ProbeOptions): Probe {
  switch (options.kind) {
    case 'linear':
      return new LinearProbe(options);
    case 'mlp':
      return new MlpProbe(options);
    default:
      throw new Error(`unknown probe kind "${String(options.kind)}"; use linear or mlp`);
  }
}
