import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Random } from '../src/core/random.js';
import { bootstrapAccuracy, clusterResamples, pairedBootstrap } from '../src/results/bootstrap.js';
import { sentenceClusters } from '../src/study/protocol.js';

/**
 * numpy is the reference: given the same predictions and the same resample indices (made here,
 * passed over), it computes each resample's cluster-bootstrap accuracy its own way (np.repeat
 * of the drawn clusters' examples) and takes np.percentile, and the paired p-value.
 */
const NUMPY = String.raw`
import json, sys
import numpy as np
d = json.load(sys.stdin)
gold, a, b, clusters = (np.array(d[k]) for k in ("gold", "a", "b", "clusters"))
ids = list(dict.fromkeys(clusters.tolist()))  # clusters in order of first appearance
members = [np.flatnonzero(clusters == c) for c in ids]
def acc(pred, draw):
    rows = np.concatenate([members[c] for c in draw])
    return np.mean(pred[rows] == gold[rows])
A = np.array([acc(a, draw) for draw in d["indices"]])
D = A - np.array([acc(b, draw) for draw in d["indices"]])
observed = np.mean(a == gold) - np.mean(b == gold)
flipped = np.mean(D <= 0) if observed > 0 else np.mean(D >= 0)
print(json.dumps({
  "acc": [float(np.mean(a == gold)), *np.percentile(A, [2.5, 97.5]).tolist()],
  "diff": [float(observed), *np.percentile(D, [2.5, 97.5]).tolist()],
  "p": 1.0 if observed == 0 else float(min(1, 2 * flipped)),
}))
`;

/** Word-level-like test data: `sentences` clusters of 1–12 examples, two predictors of different skill. */
function synthetic(sentences: number, seed: number) {
  const rng = new Random(seed);
  const gold: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const clusters: number[] = [];
  for (let s = 0; s < sentences; s++) {
    const hard = rng.next() < 0.3; // sentence-level difficulty makes examples of a sentence correlated
    for (let w = 1 + rng.int(12); w > 0; w--) {
      const y = rng.int(3);
      gold.push(y);
      a.push(rng.next() < (hard ? 0.5 : 0.85) ? y : (y + 1) % 3);
      b.push(rng.next() < (hard ? 0.45 : 0.8) ? y : (y + 2) % 3);
      clusters.push(1000 + 7 * s); // any integer ids
    }
  }
  return { gold: Int32Array.from(gold), a: Int32Array.from(a), b: Int32Array.from(b), clusters: Int32Array.from(clusters) };
}

describe('cluster bootstrap of accuracy', () => {
  it('equals numpy on the same predictions and resample indices (interval, paired difference, p-value)', () => {
    const data = synthetic(150, 1);
    const indices = clusterResamples(150, 500, 42);
    const ours = bootstrapAccuracy(data.gold, data.a, data.clusters, { indices });
    const paired = pairedBootstrap(data.gold, data.a, data.b, data.clusters, { indices });
    const input = JSON.stringify({ gold: [...data.gold], a: [...data.a], b: [...data.b], clusters: [...data.clusters], indices: indices.map((d) => [...d]) });
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', NUMPY], { input, encoding: 'utf8' })) as { acc: number[]; diff: number[]; p: number };
    const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) < 1e-12, `${what}: ${x} vs numpy ${y}`);
    [ours.accuracy, ours.low, ours.high].forEach((x, i) => close(x, ref.acc[i], ['accuracy', 'low', 'high'][i]));
    [paired.difference, paired.low, paired.high].forEach((x, i) => close(x, ref.diff[i], ['difference', 'low', 'high'][i]));
    close(paired.p, ref.p, 'p');
    assert.ok(ours.low < ours.accuracy && ours.accuracy < ours.high);
  });

  it('is seeded: the same seed gives the same interval, another seed another', () => {
    const data = synthetic(100, 2);
    const run = (seed: number) => bootstrapAccuracy(data.gold, data.a, data.clusters, { seed, resamples: 300 });
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
    assert.deepEqual(clusterResamples(5, 2, 9), clusterResamples(5, 2, 9));
  });

  it('the interval narrows as 1/√n: 4× the sentences, half the width', () => {
    const width = (sentences: number) => {
      const data = synthetic(sentences, 5);
      const ci = bootstrapAccuracy(data.gold, data.a, data.clusters, { resamples: 2000, seed: 1 });
      return ci.high - ci.low;
    };
    const ratio = width(300) / width(1200);
    assert.ok(ratio > 1.7 && ratio < 2.3, `width ratio ${ratio}`);
  });

  it('resampling sentences, not words, widens the interval when words of a sentence are correlated', () => {
    const data = synthetic(300, 6);
    const bySentence = bootstrapAccuracy(data.gold, data.a, data.clusters, { resamples: 2000 });
    const byWord = bootstrapAccuracy(data.gold, data.a, Int32Array.from(data.gold, (_, i) => i), { resamples: 2000 });
    assert.ok(bySentence.high - bySentence.low > 1.15 * (byWord.high - byWord.low), `${bySentence.high - bySentence.low} vs ${byWord.high - byWord.low}`);
  });

  it('a paired test finds a real difference and none between a predictor and itself', () => {
    const data = synthetic(400, 7);
    const real = pairedBootstrap(data.gold, data.a, data.b, data.clusters);
    assert.ok(real.difference > 0 && real.low > 0 && real.p < 0.05, JSON.stringify(real));
    const none = pairedBootstrap(data.gold, data.a, data.a, data.clusters);
    assert.deepEqual([none.difference, none.low, none.high, none.p], [0, 0, 0, 1]);
  });

  it('sentence clusters: words of a sentence share one, sentence examples get one each', () => {
    const sentences = [{ id: 'a', text: 'a b', words: ['a', 'b'] }, { id: 'b', text: 'c', words: ['c'] }];
    assert.deepEqual([...sentenceClusters({ sentences, examples: [{ sentence: 0, word: 0, label: 0 }, { sentence: 0, word: 1, label: 1 }, { sentence: 1, word: 0, label: 0 }] })], [0, 0, 1]);
    assert.deepEqual([...sentenceClusters({ sentences, examples: [{ sentence: 0, label: 0 }, { sentence: 1, label: 1 }] })], [0, 1]);
  });

  it('rejects misaligned inputs and malformed resamples', () => {
    assert.throws(() => bootstrapAccuracy([0, 1], [0], [0, 1]), /1 predictions for 2 gold labels/);
    assert.throws(() => bootstrapAccuracy([0, 1], [0, 1], [0, 1], { indices: [Int32Array.of(0, 2)] }), /cluster indices in 0…1/);
  });
});
