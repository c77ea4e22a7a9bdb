// Every figure kind rendered by the real headless Chromium: PNG of the asked size and not blank, SVG
// with its axis titles and names, HTML that opens without console errors, notebook outputs that draw
// in either order. One browser for the whole file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { ResultRow } from '../src/results/types.js';
import { ActivationCache, LayerStack } from '../src/core/activations.js';
import { Random } from '../src/core/random.js';
import { newBrowserPage } from '../src/viz/browser.js';
import {
  attentionMap,
  attentionOverview,
  closeBrowser,
  contextSimilarity,
  embeddingScatter,
  layerCurves,
  layerHeatmap,
  layerSimilarity,
  notebookRenderer,
  saveFigure,
  type Figure,
} from '../src/viz/index.js';
import { tempDir } from './helpers.js';

interface Png {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array; // row-major, `channels` bytes per pixel
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes). */
function decodePng(buf: Buffer): Png {
  assert.deepEqual([...buf.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'bit depth');
      assert.equal(body[12], 0, 'interlace');
      channels = { 2: 3, 6: 4 }[body[9]] ?? assert.fail(`colour type ${body[9]}`);
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      assert.notEqual(predictor, undefined, `filter type ${filter}`);
      pixels[y * stride + x] = (v + predictor) & 255;
    }
  }
  return { width, height, channels, pixels };
}

/** Luminance variance and the share of pixels that are not (near) white. */
function inkStats(png: Png): { variance: number; inked: number } {
  const n = png.width * png.height;
  let sum = 0;
  let sumSq = 0;
  let inked = 0;
  for (let i = 0; i < n; i++) {
    const o = i * png.channels;
    const lum = 0.299 * png.pixels[o] + 0.587 * png.pixels[o + 1] + 0.114 * png.pixels[o + 2];
    sum += lum;
    sumSq += lum * lum;
    if (lum < 240) inked++;
  }
  return { variance: sumSq / n - (sum / n) ** 2, inked: inked / n };
}

/** The text content of every SVG element, entities decoded (Plotly writes `<` as `&#60;`). */
function svgTexts(svg: string): Set<string> {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  const decode = (t: string) => t.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (_, e: string) => (e[0] === '#' ? String.fromCodePoint(Number(e[1] === 'x' ? `0${e.slice(1)}` : e.slice(1))) : named[e] ?? `&${e};`));
  return new Set([...svg.matchAll(/>([^<]+)</g)].map((m) => decode(m[1])));
}

function syntheticRows(): ResultRow[] {
  const rng = new Random(1);
  const rows: ResultRow[] = [];
  ['wordlen', 'upos', 'sst2'].forEach((task, ti) => {
    for (let layer = 0; layer < 5; layer++) for (let seed = 0; seed < 3; seed++) {
      rows.push({ task, layer, probe: 'linear', seed, metric: 'accuracy', value: 0.6 + 0.3 * Math.exp(-((layer - ti - 1) ** 2) / 2) + 0.02 * rng.normal() });
      rows.push({ task, layer, probe: 'linear', seed, metric: 'control_accuracy', value: 0.5 + 0.02 * layer + 0.01 * rng.normal() });
    }
    rows.push({ task, layer: -1, probe: 'majority', seed: 0, metric: 'accuracy', value: 0.4 + 0.1 * ti });
  });
  return rows;
}

/** Each figure kind with strings its SVG must hold (axis titles, task / label / token names). */
function figures(): Record<string, { fig: Figure; texts: string[] }> {
  const rng = new Random(2);
  const rows = syntheticRows();
  const n = 45;
  const dim = 8;
  const labels = Array.from({ length: n }, (_, i) => ['NOUN', 'VERB', 'ADJ'][i % 3]);
  const emb = new LayerStack([0, 1, 2, 3], [0, 1, 2, 3].map((l) => Float32Array.from({ length: n * dim }, (_, k) => rng.normal() + (k % dim === Math.floor(k / dim) % 3 ? 2 * l : 0))), n, dim);
  const items = ['bank (river)', 'bank (loan)', 'shore'].map((label, i) => ({ label, hiddenStates: Array.from({ length: 4 }, (_, l) => Float32Array.from({ length: dim }, (_, k) => Math.cos(k + i * l))) }));
  const tokens = ['<s>', 'the', 'bank', 'of', 'the', 'river', '</s>'];
  const maps = Array.from({ length: 3 }, () => Array.from({ length: 2 }, () => {
    const m = Float32Array.from({ length: 49 }, () => rng.next());
    for (let q = 0; q < 7; q++) {
      const s = m.subarray(q * 7, q * 7 + 7).reduce((a, b) => a + b, 0);
      for (let k = 0; k < 7; k++) m[q * 7 + k] /= s;
    }
    return m;
  }));
  const attention = new ActivationCache(tokens.join(' '), tokens.map((_, i) => i), tokens, new LayerStack([0], [new Float32Array(7 * dim)], 7, dim), new Map(maps.map((heads, k) => [k + 1, heads])));
  return {
    curves: { fig: layerCurves(rows), texts: ['Layer', 'accuracy', 'wordlen', 'upos', 'sst2', 'majority baseline', 'control task', 'emb'] },
    heatmap: { fig: layerHeatmap(rows, { categories: { wordlen: 'surface', upos: 'syntax', sst2: 'semantics' } }), texts: ['Layer', 'wordlen', 'upos', 'sst2', 'surface', 'syntax', 'semantics', 'expected layer'] },
    scatter: { fig: embeddingScatter(emb, { labels, method: 'pca' }), texts: ['PC1', 'PC2', 'NOUN', 'VERB', 'ADJ', 'layer emb', 'layer 3'] },
    umap: { fig: embeddingScatter(emb, { labels, method: 'umap', layers: [3] }), texts: ['UMAP 1', 'UMAP 2', 'NOUN'] },
    similarity: { fig: layerSimilarity(emb), texts: ['Layer', 'linear CKA', 'emb'] },
    context: { fig: contextSimilarity(items, [['bank (river)', 'bank (loan)'], ['bank (river)', 'shore']]), texts: ['Layer', 'cosine similarity', 'bank (river) ↔ bank (loan)'] },
    attention: { fig: attentionMap(attention, { layer: 2, head: 1 }), texts: ['key', 'query', '<s>', '</s>', 'river'] },
    overview: { fig: attentionOverview(attention), texts: ['Layer', 'Head', 'bits', 'attention to first token <s>'] },
  };
}

const dir = tempDir('layerwise-viz-');
let cases: ReturnType<typeof figures>;
before(() => {
  cases = figures();
});
after(async () => {
  await closeBrowser();
  rmSync(dir, { recursive: true, force: true });
});

test('without a usable Chromium the HTML is still written and the error says how to get images', async () => {
  const saved = process.env.LAYERWISE_CHROMIUM;
  process.env.LAYERWISE_CHROMIUM = join(dir, 'no-such-chromium');
  try {
    await assert.rejects(saveFigure(cases.curves.fig, join(dir, 'nobrowser'), { formats: ['html', 'png'] }), /PNG not written: LAYERWISE_CHROMIUM=.*no-such-chromium does not exist.*\(wrote .*nobrowser\.html\)/);
  } finally {
    if (saved === undefined) delete process.env.LAYERWISE_CHROMIUM;
    else process.env.LAYERWISE_CHROMIUM = saved;
  }
  assert.ok(existsSync(join(dir, 'nobrowser.html')));
  assert.ok(!existsSync(join(dir, 'nobrowser.png')));
});

test('every figure kind renders to a PNG of the asked size that is not blank, and an SVG with its labels', async () => {
  for (const [name, { fig, texts }] of Object.entries(cases)) {
    const written = await saveFigure(fig, join(dir, name), { formats: ['png', 'svg'], width: 640, height: 420, scale: 1.5 });
    assert.deepEqual(written, [join(dir, `${name}.png`), join(dir, `${name}.svg`)]);
    const png = decodePng(readFileSync(join(dir, `${name}.png`)));
    assert.deepEqual([png.width, png.height], [960, 630], `${name}.png size`);
    const { variance, inked } = inkStats(png);
    assert.ok(variance > 150 && inked > 0.015, `${name}.png looks blank (luminance variance ${variance.toFixed(1)}, ${(inked * 100).toFixed(1)}% inked)`);
    const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
    assert.match(svg, /^<svg[^>]* width="640" height="420"/);
    const shown = svgTexts(svg);
    for (const text of texts) assert.ok(shown.has(text), `${name}.svg lacks the text "${text}"`);
  }
});

/** Loads a page and returns the console errors and uncaught exceptions it produced. */
async function pageErrors(load: (page: Awaited<ReturnType<typeof newBrowserPage>>) => Promise<void>, check: (page: Awaited<ReturnType<typeof newBrowserPage>>) => Promise<void>): Promise<string[]> {
  const page = await newBrowserPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await load(page);
    await check(page);
  } finally {
    await page.close();
  }
  return errors;
}

test('saved HTML is self-contained and opens with no console errors', async () => {
  for (const name of ['curves', 'scatter']) {
    const [path] = await saveFigure(cases[name].fig, join(dir, `${name}-page`), { formats: ['html'] });
    const html = readFileSync(path, 'utf8');
    assert.ok(!/<script[^>]+src=/.test(html), 'no external scripts');
    const errors = await pageErrors(
      (page) => page.goto(pathToFileURL(path).href).then(() => undefined),
      async (page) => {
        await page.waitForSelector('#figure .main-svg', { timeout: 30_000 });
        const text = await page.locator('#figure').innerText();
        assert.ok(text.includes(name === 'curves' ? 'wordlen' : 'NOUN'), `${name}: the legend is drawn`);
      },
    );
    assert.deepEqual(errors, [], `${name}.html console errors`);
  }
});

test('notebook outputs draw even when a figure renders before the output carrying plotly.js', async () => {
  const outputs: string[] = [];
  const nb = notebookRenderer((html) => outputs.push(html));
  nb.show(cases.curves.fig);
  nb.show(cases.heatmap.fig);
  // As in a reopened notebook or nbconvert HTML, but with the second figure first.
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="output">${outputs[1]}</div><div class="output">${outputs[0]}</div></body></html>`;
  const errors = await pageErrors(
    (p) => p.setContent(page),
    async (p) => {
      // Both figure divs get a drawn plot (waitForFunction times out, failing the test, otherwise).
      const ids = outputs.map((o) => /<div id="([^"]+)"/.exec(o)![1]);
      await p.waitForFunction((divs) => divs.every((id) => document.querySelector(`#${id} .main-svg`)), ids, { timeout: 30_000 });
      assert.ok((await p.locator('#' + ids[1]).innerText()).includes('semantics'), 'the heat map drawn first shows its categories');
    },
  );
  assert.deepEqual(errors, []);
});
