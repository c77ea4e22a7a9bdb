import { WorkerPool } from '../core/worker-pool.js';
import type { BatchOutputs, BatchRunner, RunRequest, TappedModel, TappedModelOptions } from './session.js';

/** What a session worker loads: the model, where its tapped copy is cached, and its session's options. */
export interface SessionWorkerData {
  modelPath: string;
  tapDir: string;
  options: TappedModelOptions;
}

/** One batch for a session worker. */
export interface BatchJob {
  batchIds: number[][];
  padId: number;
  request: RunRequest;
}

/**
 * Several ONNX Runtime sessions of one tapped graph, each in a worker thread with its share of the
 * threads, running batches side by side (data parallelism). A session's threads meet after every
 * operator, and an encoder has hundreds of small ones (Add, LayerNorm, Softmax): on 2 cores, two
 * one-thread sessions ran roberta-base 1.11–1.13× faster than one two-thread session (32 × 26-token
 * batches, 1,927–1,937 against 1,700–1,747 tokens/s), though one product alone runs as fast either
 * way. Each session holds its own copy of the weights. The graph's tapped copies are written in
 * this thread, once, before a worker loads them.
 */
export class SessionPool implements BatchRunner {
  private pool?: WorkerPool<BatchJob, BatchOutputs>;
  private fullWritten = false;

  constructor(
    readonly parallelism: number,
    private readonly model: TappedModel,
    /** Intra-op threads of each session. */
    private readonly threads: number,
  ) {}

  /** Starts every worker, each loading its session and checking it on the probe run (TappedModel.open); returns the hidden size they read. */
  async start(): Promise<number> {
    const { probeIds, padId } = this.model.options;
    const outs = await Promise.all(Array.from({ length: this.parallelism }, () => this.run([probeIds], padId, { layers: [0] })));
    return outs[0].hiddenStates.get(0)!.length / outs[0].seqLen;
  }

  run(batchIds: number[][], padId: number, request: RunRequest): Promise<BatchOutputs> {
    if ((request.attentions || request.components) && !this.fullWritten) {
      this.model.tappedFile('full');
      this.fullWritten = true;
    }
    const { modelPath, tapDir, options } = this.model;
    this.pool ??= new WorkerPool<BatchJob, BatchOutputs>(this.parallelism, new URL('./session-worker.js', import.meta.url), { worker: 'session worker', job: 'batch' }, { modelPath, tapDir, options: { ...options, threads: this.threads } } satisfies SessionWorkerData);
    return this.pool.run(() => ({ value: { batchIds, padId, request } }));
  }

  /** Ends the workers, freeing their sessions; a later run starts them again. */
  async release(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}
