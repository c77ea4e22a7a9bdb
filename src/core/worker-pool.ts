import { Worker, parentPort, type Transferable } from 'node:worker_threads';

/** A job's result with the buffers to move (not copy) to the other thread. */
export interface Transfer<T> {
  value: T;
  transfer?: Transferable[];
}

/** What a pool's errors call its workers and their jobs: `{ worker: 'fit worker', job: 'fit' }`. */
export interface PoolNouns {
  worker: string;
  job: string;
}

/**
 * Runs jobs on worker threads, one job per worker at a time, workers started as jobs need them up
 * to `size`. The worker module answers each message with `serveJobs`. A worker that dies (out of
 * memory, a crash in native code) fails only its own job; a new worker takes its place, so the
 * pool keeps its size and queued jobs still start.
 */
export class WorkerPool<In, Out> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  /** Jobs waiting for a free worker. */
  private readonly queue: Array<{ take: (worker: Worker) => void; cancel: (err: Error) => void }> = [];
  /** The job each busy worker is doing. */
  private readonly running = new Map<Worker, { resolve: (o: Out) => void; reject: (e: Error) => void }>();
  private closed = false;

  /**
   * @param module the worker's module, as `new URL('./name.js', import.meta.url)` of its caller: from
   * src/ (tests and benches run through tsx) the `.ts` beside it is loaded instead.
   */
  constructor(
    readonly size: number,
    private readonly module: URL,
    private readonly nouns: PoolNouns,
    private readonly workerData: unknown = undefined,
  ) {}

  private spawn(): Worker {
    // A worker thread loads TypeScript only with tsx's loader registered in it too.
    const fromSource = import.meta.url.endsWith('.ts');
    const file = fromSource ? new URL(this.module.href.replace(/\.js$/, '.ts')) : this.module;
    const worker = fromSource
      ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`, { eval: true, workerData: this.workerData })
      : new Worker(file, { workerData: this.workerData });
    worker.on('message', ({ output, error }: { output?: Out; error?: string }) => {
      const job = this.running.get(worker);
      if (!job) return; // the pool was closed meanwhile
      this.running.delete(worker);
      if (error !== undefined) job.reject(new Error(error));
      else job.resolve(output!);
      this.release(worker);
    });
    let failure = '';
    worker.on('error', (err) => (failure = `: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.workers.splice(this.workers.indexOf(worker), 1);
      const idle = this.idle.indexOf(worker);
      if (idle >= 0) this.idle.splice(idle, 1);
      const job = this.running.get(worker);
      this.running.delete(worker);
      job?.reject(new Error(`a ${this.nouns.worker} stopped (exit code ${code})${failure}; its ${this.nouns.job} did not finish`));
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
    if (this.closed) return Promise.reject(new Error(`the ${this.nouns.worker}s are closed`));
    if (this.idle.length > 0) return Promise.resolve(this.idle.pop()!);
    if (this.workers.length < this.size) return Promise.resolve(this.spawn());
    return new Promise((take, cancel) => this.queue.push({ take, cancel }));
  }

  /**
   * Runs one job on the next free worker. The input is built only then: jobs queued at once would
   * otherwise all hold their inputs in memory together.
   */
  async run(build: () => Transfer<In>): Promise<Out> {
    const worker = await this.acquire();
    let input: Transfer<In>;
    try {
      input = build();
    } catch (err) {
      this.release(worker);
      throw err;
    }
    return new Promise<Out>((resolve, reject) => {
      this.running.set(worker, { resolve, reject });
      worker.ref();
      worker.postMessage(input.value, input.transfer);
    });
  }

  /** Ends the workers; jobs still waiting or running are rejected, and the pool takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new Error(`the ${this.nouns.worker}s were closed before this ${this.nouns.job} finished`);
    for (const waiting of this.queue.splice(0)) waiting.cancel(err);
    for (const job of this.running.values()) job.reject(err);
    this.running.clear();
    // Referenced again: the exit of an idle (unreferenced) worker would not keep the process alive to be awaited.
    await Promise.all(this.workers.map((w) => (w.ref(), w.terminate())));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}

/** In a pool's worker module: answers each job the pool sends, one at a time, with `handle`'s result or its error. */
export function serveJobs<In, Out>(handle: (input: In) => Promise<Transfer<Out>> | Transfer<Out>): void {
  parentPort!.on('message', async (input: In) => {
    try {
      const { value, transfer } = await handle(input);
      parentPort!.postMessage({ output: value }, transfer);
    } catch (err) {
      parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  });
}
