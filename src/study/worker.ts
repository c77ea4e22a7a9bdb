// A probe worker: runs protocol units sent by the pool (see workers.ts), one at a time.
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../probe/backend.js';
import { runUnit, type UnitInput } from './unit.js';

parentPort!.on('message', async ({ id, input }: { id: number; input: UnitInput }) => {
  try {
    await initBackend();
    parentPort!.postMessage({ id, output: runUnit(input) });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
