// Inline display: plotly.js goes to the notebook once per kernel, figures wait for it, and show()
// finds a running tslab kernel (simulated here by a stand-in tslab package in a temp folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { notebookRenderer, show, type Figure } from '../src/viz/index.js';

const PLOTLY_BANNER = /\* plotly\.js v\d+\.\d+\.\d+/g;
const fig = (title: string): Figure => ({ data: [{ type: 'scatter', y: [1, 3, 2] }], layout: { title: { text: title }, height: 300 } });
const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

test('notebookRenderer sends plotly.js with the first figure only, unless asked again', () => {
  const outputs: string[] = [];
  const nb = notebookRenderer((html) => outputs.push(html));
  nb.show(fig('first'));
  nb.show(fig('second </script><b>'));
  assert.equal(outputs.length, 2);
  assert.equal(count(outputs[0], PLOTLY_BANNER), 1);
  assert.equal(count(outputs[1], PLOTLY_BANNER), 0);
  assert.ok(outputs[0].length > 1_000_000, 'the first output carries the plotly.js bundle');
  assert.ok(outputs[1].length < 5_000, `later outputs are small, got ${outputs[1].length} characters`);
  for (const out of outputs) {
    const id = /<div id="(layerwise-[0-9a-f-]+)"/.exec(out)?.[1];
    assert.ok(id, 'each output has its own figure div');
    assert.ok(out.includes(`document.getElementById("${id}")`));
    assert.ok(out.includes('window.Plotly.newPlot'));
    assert.ok(out.includes('setTimeout(draw'), 'figures wait for plotly.js when it arrives later');
  }
  // A title containing "</script>" cannot close the figure's script early.
  assert.equal(count(outputs[1], /<\/script>/gi), 1);
  assert.ok(outputs[1].includes('second \\u003c/script>\\u003cb>'));
  nb.show(fig('third'), { includePlotly: true });
  assert.equal(count(outputs[2], PLOTLY_BANNER), 1);

  const explicit: string[] = [];
  const nb2 = notebookRenderer((html) => explicit.push(html));
  nb2.loadPlotly();
  nb2.show(fig('after load'));
  assert.deepEqual(explicit.map((o) => count(o, PLOTLY_BANNER)), [1, 0]);
});

test('show() outside a notebook only prints a note, once', () => {
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    show(fig('a'));
    show(fig('b'));
  } finally {
    process.stderr.write = original;
  }
  assert.equal(written.length, 1);
  assert.match(written[0], /not running in a tslab notebook.*saveFigure/);
});

test("show() inside a tslab kernel displays through the kernel's tslab, plotly.js once", () => {
  // A stand-in for the kernel's tslab install: jupyter.js holds the live writer while a cell runs,
  // public.js exposes display.html (the same layout as tslab 1.0's dist/).
  const root = tempDir('layerwise-tslab-');
  const dist = join(root, 'node_modules', 'tslab', 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'jupyter.js'), 'exports.lastWriteDisplayData = null;\n');
  writeFileSync(join(dist, 'public.js'), "exports.display = { html: (s) => globalThis.__capturedHtml.push(s) };\n");
  const captured: string[] = [];
  (globalThis as { __capturedHtml?: string[] }).__capturedHtml = captured;
  const jupyter = createRequire(join(dist, 'x.js'))('./jupyter.js') as { lastWriteDisplayData: unknown };
  jupyter.lastWriteDisplayData = () => undefined;
  try {
    show(fig('one'));
    show(fig('two'));
  } finally {
    jupyter.lastWriteDisplayData = null;
    delete (globalThis as { __capturedHtml?: string[] }).__capturedHtml;
    rmSync(root, { recursive: true, force: true });
  }
  assert.equal(captured.length, 2);
  assert.deepEqual(captured.map((o) => count(o, PLOTLY_BANNER)), [1, 0]);
  assert.ok(captured[1].includes('"two"'));
});
