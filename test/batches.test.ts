import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBatches } from '../src/encoder/batches.js';
import { Random } from '../src/core/random.js';

test('length batches cover every item once, respect the limits, and keep padding small', () => {
  const rng = new Random(5);
  const lengths = Array.from({ length: 1000 }, () => 3 + Math.floor(-Math.log(1 - rng.next()) * 20));
  const batches = planBatches(lengths, 32, 4096);
  assert.deepEqual(batches.flat().sort((a, b) => a - b), lengths.map((_, i) => i));
  let real = 0;
  let padded = 0;
  for (const b of batches) {
    const longest = Math.max(...b.map((i) => lengths[i]));
    assert.ok(b.length <= 32);
    assert.ok(b.length * longest <= 4096);
    real += b.reduce((s, i) => s + lengths[i], 0);
    padded += b.length * longest;
  }
  assert.ok(padded / real < 1.03, `padding ${padded / real}`);
  // A fixed 32 per batch over the sorted lengths pads more than that.
  const sorted = [...lengths].sort((a, b) => a - b);
  let fixed = 0;
  for (let i = 0; i < sorted.length; i += 32) fixed += Math.min(32, sorted.length - i) * sorted[Math.min(i + 31, sorted.length - 1)];
  assert.ok(padded < fixed);
});
