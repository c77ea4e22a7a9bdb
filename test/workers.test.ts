// The fit-worker pool: a worker that dies fails only its own run, and the pool goes on at its size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { initBackend } from '../src/probe/backend.js';
import { Random } from '../src/core/random.js';
import { runUnit, type UnitInput } from '../src/study/unit.js';
import { FitWorkers } from '../src/study/workers.js';

/** A linear probe's unit with MDL on separable random rows: long enough to be stopped mid-fit. */
function unitInput(seed: number): UnitInput {
  const random = new Random(seed);
  const rows = (n: number, y: Int32Array) => {
    const data = new Float32Array(n * 32);
    for (let i = 0; i < n; i++) {
      y[i] = random.int(4);
      for (let j = 0; j < 32; j++) data[i * 32 + j] = random.next() - 0.5 + (j % 4 === y[i] ? 0.4 : 0);
    }
    return { data, rows: n, cols: 32 };
  };
  const yTrain = new Int32Array(1500);
  const yDev = new Int32Array(200);
  const train = rows(1500, yTrain);
  const dev = rows(200, yDev);
  return { train, yTrain, dev, yDev, test: dev, numClasses: 4, probeOptions: { kind: 'linear' }, mdl: { clusters: Int32Array.from({ length: 1500 }, (_, i) => i) }, seed };
}

test('a fit worker that dies, or a run whose input fails, fails that run only; the others and the queued run finish with the in-thread results', { timeout: 300_000 }, async () => {
  await initBackend();
  const pool = new FitWorkers(2);
  try {
    const runs = [1, 2, 3].map((seed) => pool.run(() => unitInput(seed)));
    runs.forEach((run) => run.catch(() => {})); // awaited below
    // Failure injection from outside: terminate the worker of the first run once both workers are busy.
    const running = (pool as unknown as { pool: { running: Map<Worker, unknown> } }).pool.running;
    while (running.size < 2) await nextTurn();
    await running.keys().next().value!.terminate();

    await assert.rejects(runs[0], /a fit worker stopped \(exit code \d+\); its fit did not finish/);
    assert.deepEqual(await runs[1], runUnit(unitInput(2)));
    assert.deepEqual(await runs[2], runUnit(unitInput(3))); // on the worker that took the dead one's place
    // A run whose input cannot be built fails alone and hands its worker back (twice: both workers).
    for (let i = 0; i < 2; i++) await assert.rejects(pool.run(() => { throw new Error('no rows'); }), /no rows/);
    assert.deepEqual(await pool.run(() => unitInput(4)), runUnit(unitInput(4)));
  } finally {
    await pool.close();
  }
});
