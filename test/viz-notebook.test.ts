// The notebook displays that are HTML rather than Plotly figures (token table, Danfo frames, the
// attention head view) and the token heat maps: their numbers against PyTorch's hidden states of the
// fixture model and against the attention maps, the head view drawn by the real headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActivationCache } from '../src/core/activations.js';
import { frameOf } from '../src/core/frames.js';
import { Encoder } from '../src/encoder/encoder.js';
import { newBrowserPage } from '../src/viz/browser.js';
import { closeBrowser, frameTable, HEAD_VIEW_MIN_WEIGHT, headView, tokenCosineMap, tokenNormMap, tokenTable } from '../src/viz/index.js';
import { FIXTURES, tableCells } from './helpers.js';

interface ReferenceSentence { text: string; input_ids: number[]; hidden_states: number[][][] }
const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-roberta', 'reference.json'), 'utf8')) as { sentences: ReferenceSentence[] };
const sentence = reference.sentences[1];

let encoder: Encoder;
let activations: ActivationCache;

before(async () => {
  encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'));
  [activations] = await encoder.embedTokens([sentence.text], { attentions: true });
});
after(async () => {
  await encoder.dispose();
  await closeBrowser();
});

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));

test('tokenTable lists every token with its position and the id PyTorch ran', () => {
  const html = tokenTable(activations);
  const rows = tableCells(html);
  assert.deepEqual(rows.map((r) => Number(r[2])), sentence.input_ids);
  assert.deepEqual(rows.map((r) => Number(r[0])), sentence.input_ids.map((_, i) => i));
  assert.deepEqual(rows.map((r) => r[1]), [...activations.tokens]);
  assert.equal(rows[0][1], '<s>', 'the special token is shown as text');
  assert.ok(html.includes('&lt;s&gt;') && !html.includes('<td style="border:1px solid #ddd;padding:2px 8px"><s>'), 'tokens are escaped');
});

test('frameTable shows a Danfo frame cell by cell, cut to maxRows / maxColumns with a count of the rest', () => {
  const records = Array.from({ length: 30 }, (_, i) => ({ name: `<row ${i}>`, value: i / 7, count: i * 3 }));
  const frame = frameOf(records, ['name', 'value', 'count']);
  const rows = tableCells(frameTable(frame, { maxRows: 25 }));
  assert.equal(rows.length, 25);
  rows.forEach((r, i) => {
    assert.deepEqual([r[0], r[1], r[3]], [String(i), `<row ${i}>`, String(i * 3)]);
    assert.ok(Math.abs(Number(r[2]) - i / 7) <= 5e-4 * Math.max(1, i / 7), `row ${i}: ${r[2]} is not ${i / 7} to 4 digits`);
  });
  assert.match(frameTable(frame, { maxRows: 25 }), /30 rows × 3 columns \(5 more rows not shown\)/);
  assert.match(frameTable(frame, { maxColumns: 2 }), /\(10 more rows, 1 more columns not shown\)/);
});

test('tokenNormMap: the norm and the cosine with the layer below of every token at every layer, as in PyTorch', () => {
  const fig = tokenNormMap(activations);
  const [norms, change] = fig.data as Array<{ z: Array<Array<number | null>>; y: string[] }>;
  const states = sentence.hidden_states;
  assert.deepEqual(norms.y, ['emb', ...states.slice(1).map((_, k) => String(k + 1))]);
  states.forEach((tokens, k) => {
    tokens.forEach((v, t) => {
      assert.ok(Math.abs(norms.z[k][t]! - norm(v)) < 2e-3, `layer ${k} token ${t}: norm ${norms.z[k][t]} vs torch ${norm(v)}`);
      if (k === 0) assert.equal(change.z[k][t], null, 'the embeddings have no layer below');
      else assert.ok(Math.abs(change.z[k][t]! - cosine(v, states[k - 1][t])) < 1e-4, `layer ${k} token ${t}: cosine with the layer below`);
    });
  });
});

test('tokenCosineMap: token × token cosines at each layer of its menu, as in PyTorch', () => {
  const fig = tokenCosineMap(activations, { layer: 2 });
  const buttons = (fig.layout.updatemenus as Array<{ buttons: Array<{ label: string; args: [{ z: number[][][] }] }> }>)[0].buttons;
  assert.deepEqual(buttons.map((b) => b.label), sentence.hidden_states.map((_, k) => `layer ${k === 0 ? 'emb' : k}`));
  assert.deepEqual((fig.data[0] as { z: number[][] }).z, buttons[2].args[0].z[0], 'the layer shown first is layer 2');
  sentence.hidden_states.forEach((tokens, k) => {
    const z = buttons[k].args[0].z[0];
    tokens.forEach((a, i) => tokens.forEach((b, j) => assert.ok(Math.abs(z[i][j] - cosine(a, b)) < 1e-4, `layer ${k}: cos(${i}, ${j}) ${z[i][j]} vs torch ${cosine(a, b)}`)));
  });
  assert.throws(() => tokenCosineMap(activations, { layer: 9 }), /layer 9 is not among the hidden states/);
});

test('headView draws, in Chromium, a line per (query, key) weight of the chosen layer and head, and the matrix', async () => {
  const seq = activations.numTokens;
  const page = await newBrowserPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${headView(activations, { layer: 2, head: 1 })}</body></html>`);
    const lines = () => page.$$eval('line', (ls) => ls.map((l) => ({ q: Number(l.getAttribute('data-q')), k: Number(l.getAttribute('data-k')), h: Number(l.getAttribute('data-h')), w: Number(l.getAttribute('stroke-opacity')), shown: (l as SVGElement).style.display !== 'none' })));
    const expectLines = async (layer: number, heads: number[]) => {
      const drawn = await lines();
      const expected = heads.flatMap((h) => {
        const m = activations.attention(layer, h);
        return Array.from({ length: seq * seq }, (_, i) => ({ h, q: Math.floor(i / seq), k: i % seq, w: m.data[i] })).filter((e) => Math.round(e.w * 1000) / 1000 >= HEAD_VIEW_MIN_WEIGHT);
      });
      assert.equal(drawn.length, expected.length, `layer ${layer} heads ${heads}: lines drawn`);
      expected.forEach((e, i) => {
        const d = drawn[i];
        assert.deepEqual([d.h, d.q, d.k], [e.h, e.q, e.k]);
        assert.ok(Math.abs(d.w - e.w) <= 5e-4 + 1e-9, `line ${e.q}→${e.k}: opacity ${d.w}, weight ${e.w}`);
      });
    };
    await expectLines(2, [1]);
    assert.deepEqual(await page.$$eval('text[data-role="query"]', (ts) => ts.map((t) => t.textContent)), [...activations.tokens]);

    // Hovering a query token keeps only its lines.
    await page.hover('text[data-role="query"] >> nth=3');
    const afterHover = await lines();
    assert.ok(afterHover.some((l) => l.shown));
    afterHover.forEach((l) => assert.equal(l.shown, l.q === 3, `line ${l.q}→${l.k} shown: ${l.shown}`));

    await page.selectOption('select[data-role="layer"]', '3');
    await page.selectOption('select[data-role="head"]', 'all');
    const heads = activations.attention(3).map((_, h) => h);
    await expectLines(3, heads);

    await page.selectOption('select[data-role="head"]', '0');
    await page.selectOption('select[data-role="view"]', 'matrix');
    const cells = await page.$$eval('rect', (rs) => rs.map((r) => Number(r.getAttribute('data-weight'))));
    const m = activations.attention(3, 0).data;
    assert.equal(cells.length, seq * seq);
    cells.forEach((w, i) => assert.ok(Math.abs(w - m[i]) <= 5e-4 + 1e-9, `cell ${i}: ${w} vs ${m[i]}`));
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await page.close();
  }
});

test('headView refuses a text without attention maps and a head that does not exist, in one line', async () => {
  const [plain] = await encoder.embedTokens([sentence.text]);
  assert.throws(() => headView(plain), /no attention maps; run embedTokens with \{ attentions: true \}/);
  assert.throws(() => headView(activations, { head: 99 }), /head must be 'all' or an integer from 0 to \d+, got 99/);
  assert.throws(() => headView(activations, { layer: 0 }), /layer 0 has no attention maps/);
});
