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
  private readonly queue: Array<{ take: () => void; cancel: (err: Error) => void }> = [];
  private readonly pending = new Map<number, { resolve: (o: UnitOutput) => void; reject: (e: Error) => void }>();
  private nextId = 0;
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
    worker.on('message', ({ id, output, error }: { id: number; output?: UnitOutput; error?: string }) => {
      const job = this.pending.get(id);
      if (!job) return; // the pool was closed meanwhile
      this.pending.delete(id);
      if (error !== undefined) job.reject(new Error(error));
      else job.resolve(output!);
      this.release(worker);
    });
    worker.on('error', (err) => {
      for (const job of this.pending.values()) job.reject(err);
      this.pending.clear();
    });
    worker.unref(); // an idle pool never keeps the process alive
    this.workers.push(worker);
    return worker;
  }

  private release(worker: Worker): void {
    this.idle.push(worker);
    this.queue.shift()?.take();
  }

  private acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new Error('the fit workers are closed'));
    if (this.idle.length > 0) return Promise.resolve(this.idle.pop()!);
    if (this.workers.length < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve, reject) => this.queue.push({ take: () => resolve(this.idle.pop()!), cancel: reject }));
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
    const id = this.nextId++;
    return new Promise<UnitOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, input: build() });
    }).finally(() => worker.unref());
  }

  /** Ends the workers; runs still waiting or running are rejected, and the pool takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('the fit workers were closed before this fit finished');
    for (const waiting of this.queue.splice(0)) waiting.cancel(err);
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
