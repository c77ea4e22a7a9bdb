// A probe worker: runs protocol units sent by the pool (see workers.ts), one at a time.
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../probe/backend.js';
import { runUnit, type UnitInput } from './unit.js';

// A background pool's thread, on Linux only: see FitWorkers.
if ((workerData as { background?: boolean } | null)?.background && process.platform === 'linux') setPriority(constants.priority.PRIORITY_LOW);

parentPort!.on('message', async (input: UnitInput) => {
  try {
    await initBackend();
    parentPort!.postMessage({ output: runUnit(input) });
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
