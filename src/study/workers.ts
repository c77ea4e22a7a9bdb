import { Worker } from 'node:worker_threads';
import { workerCount } from '../core/config.js';
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
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  /** Runs waiting for a free worker. */
  private readonly queue: Array<{ take: (worker: Worker) => void; cancel: (err: Error) => void }> = [];
  /** The run each busy worker is doing. */
  private readonly running = new Map<Worker, { resolve: (o: UnitOutput) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    readonly size = workerCount(),
    private readonly options: { background?: boolean } = {},
  ) {}

  private spawn(): Worker {
    // From dist/ the worker is the compiled .js; from src/ (tests run through tsx) the .ts,
    // which a worker thread can load only with tsx's loader registered in it too.
    const fromSource = import.meta.url.endsWith('.ts');
    const file = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
    const workerData = { background: this.options.background === true };
    const worker = fromSource
      ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`, { eval: true, workerData })
      : new Worker(file, { workerData });
    worker.on('message', ({ output, error }: { output?: UnitOutput; error?: string }) => {
      const job = this.running.get(worker);
      if (!job) return; // the pool was closed meanwhile
      this.running.delete(worker);
      if (error !== undefined) job.reject(new Error(error));
      else job.resolve(output!);
      this.release(worker);
    });
    let failure = '';
    worker.on('error', (err) => (failure = `: ${err.message}`));
    // A worker that dies (out of memory, a crash in native code) fails only its own run; a new
    // worker takes its place, so the pool keeps its size and queued runs still start.
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.workers.splice(this.workers.indexOf(worker), 1);
      const idle = this.idle.indexOf(worker);
      if (idle >= 0) this.idle.splice(idle, 1);
      const job = this.running.get(worker);
      this.running.delete(worker);
      job?.reject(new Error(`a fit worker stopped (exit code ${code})${failure}; its fit did not finish`));
      this.queue.shift()?.take(this.spawn());
    });
    this.workers.push(worker);
    return worker;
  }

  private release(worker: Worker): void {
    const next = this.queue.shift();
    if (next) return next.take(worker);
    worker.unref(); // an idle pool never keeps the process alive
    this.idle.push(worker);
  }

  private acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new Error('the fit workers are closed'));
    if (this.idle.length > 0) return Promise.resolve(this.idle.pop()!);
    if (this.workers.length < this.size) return Promise.resolve(this.spawn());
    return new Promise((take, cancel) => this.queue.push({ take, cancel }));
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
    const worker = await this.acquire();
    let input: UnitInput;
    try {
      input = build();
    } catch (err) {
      this.release(worker);
      throw err;
    }
    return new Promise<UnitOutput>((resolve, reject) => {
      this.running.set(worker, { resolve, reject });
      worker.ref();
      worker.postMessage(input);
    });
  }

  /** Ends the workers; runs still waiting or running are rejected, and the pool takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('the fit workers were closed before this fit finished');
    for (const waiting of this.queue.splice(0)) waiting.cancel(err);
    for (const job of this.running.values()) job.reject(err);
    this.running.clear();
    // Referenced again: the exit of an idle (unreferenced) worker would not keep the process alive to be awaited.
    await Promise.all(this.workers.map((w) => (w.ref(), w.terminate())));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
