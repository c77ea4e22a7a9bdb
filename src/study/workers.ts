import { workerCount } from '../core/config.js';
import { WorkerPool } from '../core/worker-pool.js';
import { initBackend } from '../probe/backend.js';
import { runUnit, type UnitInput, type UnitOutput } from './unit.js';

/**
 * Runs protocol units on several cores. tfjs's WebAssembly backend is single-threaded in
 * Node and a worker gives its MLAS products one thread (probe/mlas.ts), so one probe uses one
 * core; independent layer × seed fits go to worker threads, one per core (`LAYERWISE_WORKERS`
 * overrides; 1 runs everything in this thread).
 *
 * A `background` pool's threads run at the lowest priority (Linux only, where priority is a
 * thread's own; elsewhere it would lower the whole process): a lab probes one task while the main
 * thread extracts the next, and the extraction, which every later probe waits for, keeps its pace;
 * the fits take the cycles it leaves.
 */
export class FitWorkers {
  private readonly pool: WorkerPool<UnitInput, UnitOutput>;

  constructor(
    readonly size = workerCount(),
    options: { background?: boolean } = {},
  ) {
    this.pool = new WorkerPool(size, new URL('./worker.js', import.meta.url), { worker: 'fit worker', job: 'fit' }, { background: options.background === true });
  }

  /**
   * Runs one unit on the next free worker. The input is built only then: a task's units are all
   * queued at once, and their copied rows, built up front, would all sit in memory together.
   */
  async run(build: () => UnitInput): Promise<UnitOutput> {
    if (this.size <= 1) {
      await initBackend();
      return runUnit(build());
    }
    return this.pool.run(() => ({ value: build() }));
  }

  /** Ends the workers; runs still waiting or running are rejected, and the pool takes no more. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
