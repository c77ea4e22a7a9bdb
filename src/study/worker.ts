// A probe worker: runs protocol units sent by the pool (see workers.ts), one at a time.
import { constants, setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { serveJobs } from '../core/worker-pool.js';
import { initBackend } from '../probe/backend.js';
import { runUnit, type UnitInput } from './unit.js';

// A background pool's thread, on Linux only: see FitWorkers.
if ((workerData as { background?: boolean } | null)?.background && process.platform === 'linux') setPriority(constants.priority.PRIORITY_LOW);

serveJobs(async (input: UnitInput) => {
  await initBackend();
  return { value: runUnit(input) };
});
