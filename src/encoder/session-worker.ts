// A session worker: one ONNX Runtime session of a tapped graph, running the batches its SessionPool sends.
import { workerData } from 'node:worker_threads';
import { serveJobs } from '../core/worker-pool.js';
import type { BatchJob, SessionWorkerData } from './session-pool.js';
import { TappedModel, type BatchOutputs } from './session.js';

const { modelPath, tapDir, options } = workerData as SessionWorkerData;
const model = TappedModel.open(modelPath, tapDir, options);
model.catch(() => {}); // the load's error is each job's answer

/** Every array of a batch's outputs, moved to the pool's thread rather than copied. */
function buffersOf(out: BatchOutputs): ArrayBuffer[] {
  const arrays = [...out.hiddenStates.values(), ...out.pooled.values(), ...out.attentions, ...Object.values(out.components)];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

serveJobs(async ({ batchIds, padId, request }: BatchJob) => {
  const out = await (await model).run(batchIds, padId, request);
  return { value: out, transfer: buffersOf(out) };
});
