// Small multiples and model comparison: which trace lands in which panel, and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow } from '../src/results/types.js';
import { layerCurvesGrid, modelComparison, panelGrid, type Figure } from '../src/viz/index.js';
import { parseOptions, usage, defineCommand } from '../src/cli/options.js';

type Trace = Record<string, any>;
const traces = (fig: Figure): Trace[] => fig.data as Trace[];
const axis = (fig: Figure, name: string): Record<string, any> => (fig.layout as Record<string, any>)[name];

/** tasks × (layers 0…depth), accuracy rising with the layer, a bootstrap band, and a majority baseline per task. */
function rows(tasks: string[], depth: number, offset = 0): ResultRow[] {
  const out: ResultRow[] = [];
  tasks.forEach((task, t) => {
    for (let layer = 0; layer <= depth; layer++) {
      const value = 0.5 + offset + (0.3 * layer) / depth;
      out.push({ task, layer, probe: 'linear', seed: 0, metric: 'accuracy', value });
      out.push({ task, layer, probe: 'linear', seed: 0, metric: 'ci_low', value: value - 0.02 });
      out.push({ task, layer, probe: 'linear', seed: 0, metric: 'ci_high', value: value + 0.02 });
      out.push({ task, layer, probe: 'linear', seed: 0, metric: 'dev_accuracy', value });
      if (t === 0) out.push({ task, layer, probe: 'linear', seed: 0, metric: 'control_accuracy', value: 0.4 });
    }
    out.push({ task, layer: -1, probe: 'majority', seed: 0, metric: 'accuracy', value: 0.3 + 0.01 * t });
  });
  return out;
}

test('panelGrid: panels row by row, domains inside [0, 1] and apart, x axes shared, titles over each panel', () => {
  const grid = panelGrid(5, { columns: 3, titles: ['a', 'b', 'c', 'd', 'e'], xTitle: 'Layer', yTitle: 'acc' });
  assert.deepEqual(grid.axes.map((a) => a.xaxis), ['x', 'x2', 'x3', 'x4', 'x5']);
  const layout = grid.layout as Record<string, any>;
  const boxes = grid.axes.map((_, i) => ({ x: layout[`xaxis${i ? i + 1 : ''}`].domain, y: layout[`yaxis${i ? i + 1 : ''}`].domain }));
  for (const b of boxes) for (const d of [b.x, b.y]) assert.ok(d[0] >= 0 && d[1] <= 1 + 1e-12 && d[0] < d[1]);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const overlap = (p: number[], q: number[]) => p[0] < q[1] - 1e-9 && q[0] < p[1] - 1e-9;
    assert.ok(!(overlap(boxes[i].x, boxes[j].x) && overlap(boxes[i].y, boxes[j].y)), `panels ${i} and ${j} overlap`);
  }
  assert.ok(boxes[0].y[0] > boxes[3].y[1], 'the second row is below the first');
  assert.equal(layout.xaxis2.matches, 'x');
  // x titles on the bottom panel of each column only (panel 2 has none below it), y titles on the first column.
  assert.deepEqual(grid.axes.map((_, i) => layout[`xaxis${i ? i + 1 : ''}`].title.text), ['', '', 'Layer', 'Layer', 'Layer']);
  assert.deepEqual(grid.axes.map((_, i) => layout[`yaxis${i ? i + 1 : ''}`].title.text), ['acc', '', '', 'acc', '']);
  assert.deepEqual(layout.annotations.map((a: Trace) => a.text), ['<b>a</b>', '<b>b</b>', '<b>c</b>', '<b>d</b>', '<b>e</b>']);
});

test('layerCurvesGrid: one panel per task with its own curve, band, baseline and control; labels as given', () => {
  const tasks = ['upos', 'sentlen', 'tense', 'sst2'];
  const fig = layerCurvesGrid(rows(tasks, 4), { columns: 2, labels: { layer: 'Слой', metric: 'точность', baselines: { majority: 'majority (самый частый класс)', length: 'l', bow: 'b', lexical: 'x' } }, separators: ', ' });
  assert.equal(fig.layout.separators, ', ');
  tasks.forEach((task, i) => {
    const ref = i === 0 ? '' : String(i + 1);
    const mine = traces(fig).filter((t) => (t.xaxis ?? 'x') === `x${ref}` && t.x[0] !== null);
    const line = mine.find((t) => t.mode === 'lines+markers')!;
    assert.deepEqual(line.x, [0, 1, 2, 3, 4]);
    assert.ok(Math.abs(line.y[4] - 0.8) < 1e-12);
    assert.equal(line.yaxis, `y${ref}`);
    const majority = mine.find((t) => t.name === 'majority (самый частый класс)')!;
    assert.deepEqual(majority.y, [0.3 + 0.01 * i, 0.3 + 0.01 * i]);
    assert.equal(mine.filter((t) => t.fill === 'toself').length, 1, `${task} band`);
    assert.equal(mine.some((t) => t.line?.dash === 'dot'), i === 0, `${task} control`);
    assert.deepEqual(mine.find((t) => t.marker?.symbol === 'star').x, [4]);
  });
  assert.equal((axis(fig, 'xaxis3').title as { text: string }).text, 'Слой');
  // One legend entry for the probe line, then the line-style keys; not one per panel.
  assert.deepEqual(traces(fig).filter((t) => t.showlegend !== false).map((t) => t.name), ['точность', 'majority (самый частый класс)', 'control task']);
});

test('modelComparison: x is layer / L, so a 4-layer and a 3-layer model both end at 1; one panel per task', () => {
  const fig = modelComparison([{ name: 'deep', rows: rows(['upos', 'sst2'], 4) }, { name: 'shallow', rows: rows(['upos', 'sst2'], 3, 0.1) }]);
  const lines = traces(fig).filter((t) => t.mode === 'lines+markers');
  assert.deepEqual(lines.map((t) => `${t.name}@${t.xaxis}`), ['deep@x', 'shallow@x', 'deep@x2', 'shallow@x2']);
  assert.deepEqual(lines[0].x, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(lines[1].x, [0, 1 / 3, 2 / 3, 1]);
  assert.deepEqual(lines[1].customdata, [0, 1, 2, 3]);
  assert.ok(Math.abs(lines[1].y[3] - 0.9) < 1e-12);
  assert.deepEqual(lines.map((t) => t.showlegend), [true, true, false, false]);
  assert.equal(traces(fig).filter((t) => t.fill === 'toself').length, 4);
  assert.throws(() => modelComparison([{ name: 'one', rows: rows(['upos'], 2) }]), /at least two models/);
});

test('a repeatable string option collects every occurrence, keeps its default otherwise, and says so in --help', () => {
  const command = defineCommand({
    name: 'x',
    summary: '',
    description: '',
    options: { model: { type: 'string', placeholder: 'M', default: 'base', multiple: true, help: 'a model' }, one: { type: 'string', help: 'once' } },
    run: async () => 0,
  });
  assert.deepEqual(parseOptions(command, ['--model', 'a', '--model', 'b']).values.model, ['a', 'b']);
  assert.deepEqual(parseOptions(command, []).values.model, ['base']);
  assert.equal(parseOptions(command, ['--one', 'z']).values.one, 'z');
  assert.match(usage(command), /\[--model M …\]/);
  assert.match(usage(command), /--model M …\s+a model \(repeatable; default base\)/);
});
