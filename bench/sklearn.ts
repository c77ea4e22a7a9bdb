/** What the benchmarks share: the scikit-learn worker process and the machine's load. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * A long-lived scikit-learn worker (sklearn_worker.py, Debian's /usr/bin/python3): one JSON request a
 * line, one JSON answer a line, so its timed fits interleave with ours. `threads` caps its BLAS threads
 * (default: OpenBLAS's own, one per core).
 */
export class Sklearn {
  private readonly child;
  private readonly lines;
  private stderr = '';

  constructor(threads?: number) {
    const limit = threads === undefined ? {} : { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    this.child = spawn('/usr/bin/python3', [fileURLToPath(new URL('./sklearn_worker.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...limit, PYTHONWARNINGS: 'ignore' } });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  async ask<T>(request: object): Promise<T> {
    this.child.stdin.write(JSON.stringify(request) + '\n');
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`scikit-learn worker failed: ${this.stderr.trim().split('\n').at(-1)}`);
    return JSON.parse(value) as T;
  }

  close(): void {
    this.child.stdin.end();
  }
}

export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
