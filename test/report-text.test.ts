// The report's words and claims without running a lab: number formats, gated findings, citations.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildReport } from '../src/report/build.js';
import { tempDir } from './helpers.js';
import { cite, modelSource } from '../src/report/bibliography.js';
import { documentMarkdown, inlineHtml } from '../src/report/document.js';
import { modelUrl, reportDocument, taskFindings, type ReportInput } from '../src/report/report.js';
import { labFigures } from '../src/report/figures.js';
import { reportText } from '../src/report/text/index.js';
import { numberFormat } from '../src/report/text/types.js';
import type { ResultRow, TaskSummary } from '../src/results/types.js';

test('numbers follow the language: a decimal comma in Russian', () => {
  assert.equal(numberFormat('ru-RU')(0.8734), '0,873');
  assert.equal(numberFormat('en-US')(0.8734), '0.873');
  assert.equal(reportText('ru').num(1.5, 2), '1,50');
  assert.equal(reportText('ru').num(NaN), '–');
});

/** A summary with only what the findings read. */
function summary(task: string, gain: number, p: number, low: number): TaskSummary {
  return { task, best_layer: 2, best_accuracy: low + 0.05, best_ci_low: low, best_ci_high: low + 0.1, best_gain_over_emb: gain, best_gain_over_emb_p: p, expected_layer: 1.5, selectivity: NaN, mdl_kbits: NaN, probe: 'linear' };
}

test('findings claim only what the statistics support: sign and p of the gain, interval against the strongest baseline', () => {
  const summaries = [summary('a', 0.1, 0.01, 0.8), summary('b', -0.1, 0.01, 0.8), summary('c', 0.1, 0.2, 0.8), summary('d', 0.1, 0.01, 0.5), summary('e', NaN, NaN, 0.8)];
  const rows: ResultRow[] = summaries.flatMap((s) => [
    { task: s.task, layer: -1, probe: 'majority', seed: 0, metric: 'accuracy', value: 0.4 },
    { task: s.task, layer: -1, probe: 'bow', seed: 0, metric: 'accuracy', value: s.task === 'd' ? 0.55 : 0.6 },
  ]);
  const input: ReportInput = { model: 'Xenova/roberta-base', date: 'now', numHiddenStates: 5, tasks: [], rows, summaries, settings: {}, figures: [], notes: [] };
  const f = taskFindings(input);
  assert.deepEqual(f.map((x) => x.emb?.verdict), ['better', 'worse', 'unclear', 'better', undefined]);
  assert.deepEqual(f.map((x) => [x.baseline?.name, x.baseline?.below]), [['bow', true], ['bow', true], ['bow', true], ['bow', false], ['bow', true]]);
  const en = documentMarkdown(reportDocument(input, reportText('en')));
  assert.match(en, /`a`: best layer 2 \(chosen on dev\), test accuracy 0\.850 \[0\.800, 0\.900\]; it beats the embedding layer by 0\.100 \(paired bootstrap, p = 0\.010\); its 95% interval lies above the strongest baseline \(bow 0\.600\)\./);
  assert.match(en, /`b`: .*it is reliably worse than the embedding layer/);
  assert.match(en, /`c`: .*it is not reliably better than the embedding layer \(gain 0\.100, p = 0\.200\)/);
  assert.match(en, /`d`: .*the bow baseline \(0\.550\) reaches its 95% interval, so this task says little about the encoder/);
  const ru = documentMarkdown(reportDocument(input, reportText('ru')));
  assert.match(ru, /`a`: лучший слой 2 \(выбран по dev-части\), точность на тесте 0,850 \[0,800; 0,900\]; он превосходит слой эмбеддингов на 0,100 \(парный бутстреп, p = 0,010\)/);
  assert.match(ru, /`c`: .*надёжного превосходства над слоем эмбеддингов нет/);
  // The model's paper and hub page are in the sources; a local folder has no hub page.
  assert.match(ru, /Liu, Y\., Ott, M\..*RoBERTa/);
  assert.match(ru, /https:\/\/huggingface\.co\/Xenova\/roberta-base/);
});

test('models: the family paper from the name, a hub URL only for hub ids', () => {
  assert.equal(modelSource('Xenova/roberta-base'), 'liu2019');
  assert.equal(modelSource('Xenova/distilroberta-base'), 'sanh2019');
  assert.equal(modelSource('Xenova/bert-base-uncased'), 'devlin2019');
  assert.equal(modelSource('test/fixtures/tiny-roberta'), undefined);
  assert.equal(modelUrl('Xenova/roberta-base'), 'https://huggingface.co/Xenova/roberta-base');
  assert.equal(modelUrl('test/fixtures/tiny-roberta'), undefined);
  assert.equal(cite('hewitt2019', 'voita2020'), '(Hewitt & Liang, 2019; Voita & Titov, 2020)');
});

test('inline markup becomes HTML after escaping, so a token such as <s> stays text', () => {
  assert.equal(inlineHtml('**bold** `<s>` *it* x*y https://a.org/b.'), '<strong>bold</strong> <code>&lt;s&gt;</code> <em>it</em> x*y <a href="https://a.org/b">https://a.org/b</a>.');
});

test('without Chromium, buildReport still writes report.md, saying why the figures and the PDF are missing', async () => {
  const dir = tempDir();
  const saved = process.env.LAYERWISE_CHROMIUM;
  process.env.LAYERWISE_CHROMIUM = join(dir, 'no-chromium');
  try {
    const rows: ResultRow[] = [0, 1, 2].flatMap((layer) => [{ task: 'sst2', layer, probe: 'linear', seed: 0, metric: 'accuracy' as const, value: 0.5 + 0.1 * layer }]);
    const built = await buildReport({ model: 'm', numHiddenStates: 3, tasks: [], rows, summaries: [summary('sst2', 0.2, 0.01, 0.6)] }, { outDir: dir, lang: 'ru' });
    assert.equal(built.notes.length, 1);
    assert.match(built.notes[0], /^Рисунки не сохранены в PNG\/SVG: .*no-chromium does not exist/);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    assert.match(md, /> Рисунки не сохранены/);
    assert.match(md, /изображение не построено/);
    assert.ok(!existsSync(join(dir, 'report.pdf')));
    assert.ok(existsSync(join(dir, 'report.html')));
  } finally {
    if (saved === undefined) delete process.env.LAYERWISE_CHROMIUM;
    else process.env.LAYERWISE_CHROMIUM = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the star of each curve grid is what its title says: best dev accuracy, or the highest plotted value', () => {
  // Dev accuracy peaks at layer 1; MDL compression at layer 2.
  const rows: ResultRow[] = [0, 1, 2].flatMap((layer) => [
    { task: 'sst2', layer, probe: 'linear', seed: 0, metric: 'accuracy' as const, value: 0.6 + 0.1 * layer },
    { task: 'sst2', layer, probe: 'linear', seed: 0, metric: 'dev_accuracy' as const, value: layer === 1 ? 0.9 : 0.6 },
    { task: 'sst2', layer, probe: 'linear', seed: 0, metric: 'mdl_compression' as const, value: 1 + layer },
  ]);
  for (const lang of ['en', 'ru'] as const) {
    const figures = labFigures({ rows, summaries: [summary('sst2', 0.2, 0.01, 0.6)], tasks: [] }, reportText(lang));
    const starAndTitle = (name: string) => {
      const { figure } = figures.find((f) => f.name === name)!;
      const star = (figure.data as Array<{ marker?: { symbol?: string }; x: number[] }>).find((t) => t.marker?.symbol === 'star')!;
      return { x: star.x, title: (figure.layout as { title: { text: string } }).title.text };
    };
    const accuracy = starAndTitle('accuracy-curves');
    const mdl = starAndTitle('mdl-curves');
    assert.deepEqual([accuracy.x, mdl.x], [[1], [2]], lang);
    assert.match(accuracy.title, lang === 'en' ? /best layer on dev/ : /лучший слой по dev-части/);
    assert.match(mdl.title, lang === 'en' ? /highest value/ : /наибольшее значение/);
  }
});
