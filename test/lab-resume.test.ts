// A killed `layerwise lab` resumes: the real CLI is killed (SIGKILL) at three moments of probing,
// found by polling its journal, rerun to completion, and its results.csv and summary.csv must be
// the bytes of an uninterrupted run's, with no journaled fit run again and the extraction store whole.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UnitJournal } from '../src/study/journal.js';
import type { UnitOutput } from '../src/study/unit.js';
import { FIXTURES, ROOT, cli, ensureBuilt, tempDir } from './helpers.js';

const dir = tempDir('layerwise-resume-');
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { LAYERWISE_CACHE: join(dir, 'cache') };
const TASKS = ['sentlen', 'tense'];
const SEEDS = 2;
const LAYERS = 5; // tiny-roberta's hidden states
const UNITS = TASKS.length * LAYERS * SEEDS;
const lab = (out: string) => ['lab', '--model', join(FIXTURES, 'tiny-roberta'), '--tasks', TASKS.join(','), '--max-train', '80', '--max-test', '40', '--seeds', String(SEEDS), '--out', join(dir, out)];

/** The journal of output folder `out` (beside it, named after it), if there is one. */
function journalOf(out: string): string | undefined {
  const name = readdirSync(dir).find((f) => f.startsWith(`.${out}.journal-`) && f.endsWith('.jsonl'));
  return name && join(dir, name);
}

/** Finished units in a journal: its complete lines after the header. */
function journaledUnits(out: string): number {
  const path = journalOf(out);
  if (!path || !existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  return Math.max(0, text.slice(0, text.lastIndexOf('\n') + 1).split('\n').length - 2);
}

/** Runs the lab and kills it (SIGKILL) once its journal holds at least `units` finished units; returns how many it holds then. */
async function killAfter(out: string, units: number): Promise<number> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'layerwise.js'), ...lab(out)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let finished = false;
  void exited.then(() => (finished = true));
  while (!finished && journaledUnits(out) < units) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(!finished, `the lab finished before its journal held ${units} units`);
  child.kill('SIGKILL');
  await exited;
  return journaledUnits(out);
}

/** Every shard an extraction store's index names is whole: its size and checksum agree (the safetensors format, read here). */
function checkStores(): void {
  const root = join(env.LAYERWISE_CACHE, 'extractions');
  for (const store of readdirSync(root)) {
    const index = JSON.parse(readFileSync(join(root, store, 'index.json'), 'utf8')) as { items: Record<string, [string, number, number]> };
    for (const shard of new Set(Object.values(index.items).map(([name]) => name))) {
      const bytes = readFileSync(join(root, store, shard));
      const headerLength = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString()) as { __metadata__: { sha256: string } };
      assert.equal(createHash('sha256').update(bytes.subarray(8 + headerLength)).digest('hex'), header.__metadata__.sha256, `${store}/${shard}`);
    }
  }
}

test('a lab killed at three moments of probing resumes to the results of an uninterrupted run', { timeout: 600_000 }, async () => {
  ensureBuilt();
  const reference = cli(lab('reference'), { env });
  assert.equal(reference.status, 0, reference.stderr);
  assert.match(reference.stderr, new RegExp(`probe fits: ${UNITS} run, 0 read from the journal`));
  assert.equal(journalOf('reference'), undefined, 'a complete lab removes its journal');
  const csv = (out: string, file: string) => readFileSync(join(dir, out, file), 'utf8');

  for (const [moment, units] of [['after the first fit', 1], ['about half way', UNITS / 2], ['with a few fits left', UNITS - 3]] as const) {
    const out = `killed-${units}`;
    const journaled = await killAfter(out, units);
    assert.ok(journaled >= units && journaled < UNITS, `${moment}: ${journaled} units journaled`);
    checkStores();
    const rerun = cli(lab(out), { env });
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, new RegExp(`resuming an interrupted run: ${journaled} probe fits already done`), moment);
    // Only the units the journal lacked were fitted again.
    assert.match(rerun.stderr, new RegExp(`probe fits: ${UNITS - journaled} run, ${journaled} read from the journal`), moment);
    // The CSVs hold no timing column: they must be byte for byte the uninterrupted run's.
    assert.equal(csv(out, 'results.csv'), csv('reference', 'results.csv'), `${moment}: results.csv`);
    assert.equal(csv(out, 'summary.csv'), csv('reference', 'summary.csv'), `${moment}: summary.csv`);
    assert.equal(journalOf(out), undefined, `${moment}: the journal is removed once the lab completes`);
  }
  checkStores();
});

test('a journal keeps its complete lines: a torn last line is ignored and cut off, numbers come back exactly', () => {
  const path = join(dir, 'unit.journal.jsonl');
  const output = (i: number): UnitOutput => ({ testPredictions: Int32Array.of(i, 2, 0), devPredictions: Int32Array.of(1), fit: { l2: 1 / (3 * (i + 1)), iterations: 40 + i, converged: i !== 2 }, controlAccuracy: 0.1 + i / 3, mdlBits: i === 1 ? NaN : Math.PI * i, mdlCompression: Infinity });
  const settings = { probe: 'linear', seeds: 2 };
  const first = new UnitJournal(path, settings);
  assert.equal(existsSync(path), false, 'no file before the first unit');
  for (let i = 0; i < 3; i++) first.put({ task: 't', probe: 'linear', layer: i, seed: 0 }, output(i));
  first.close();
  appendFileSync(path, '{"task":"t","probe":"linear","layer":3,"seed":0,"testPre'); // a kill in the middle of a write
  const second = new UnitJournal(path, settings);
  assert.equal(second.size, 3);
  assert.equal(second.get({ task: 't', probe: 'linear', layer: 3, seed: 0 }), undefined);
  for (let i = 0; i < 3; i++) assert.deepEqual(second.get({ task: 't', probe: 'linear', layer: i, seed: 0 }), output(i));
  second.put({ task: 't', probe: 'linear', layer: 3, seed: 0 }, output(3));
  second.close();
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.deepEqual(lines.at(-1), '', 'the file ends with a whole line');
  assert.equal(lines.length - 2, 4, 'the header and four units');
  lines.slice(0, -1).forEach((line) => JSON.parse(line));
  assert.deepEqual(second.counts, { resumed: 3, written: 1 });
  // Other settings: the journal starts anew.
  assert.equal(new UnitJournal(path, { ...settings, seeds: 3 }).size, 0);
});
