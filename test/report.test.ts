// The lab report in both languages, its PDF, and a comparison of two fixture models of different depths.
// Two lab runs serve every assertion: English on tiny-roberta (4 layers), then `--model A --model B --lang ru`,
// which must reuse A's results and run B (tiny-roberta-opset17, 3 layers).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REFERENCES } from '../src/report/bibliography.js';
import { modelFolderName } from '../src/report/settings.js';
import { reportText } from '../src/report/text/index.js';
import type { Lang } from '../src/report/text/types.js';
import { FIXTURES, cli, tempDir } from './helpers.js';

const dir = tempDir('layerwise-report-');
const env = { LAYERWISE_CACHE: join(dir, 'cache') };
const A = join(FIXTURES, 'tiny-roberta');
const B = join(FIXTURES, 'tiny-roberta-opset17');
const TASKS = ['upos', 'morph.Number', 'sentlen', 'tense', 'sst2'];
const COMMON = ['--tasks', TASKS.join(','), '--max-train', '200', '--max-test', '100', '--seeds', '1', '--no-mdl'];
const folderA = join(dir, modelFolderName(A));
const folderB = join(dir, modelFolderName(B));
let english: ReturnType<typeof cli>;
let comparison: ReturnType<typeof cli>;
let resultsBefore: number;

before(() => {
  english = cli(['lab', '--model', A, '--out', folderA, ...COMMON], { env });
  resultsBefore = statSync(join(folderA, 'results.csv')).mtimeMs;
  comparison = cli(['lab', '--model', A, '--model', B, '--lang', 'ru', '--out', dir, ...COMMON], { env });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every section, every figure reference resolving to a file, every citation in the sources. */
function checkReport(folder: string, lang: Lang): string {
  const text = reportText(lang);
  const md = readFileSync(join(folder, 'report.md'), 'utf8');
  const titles = Object.values(text.sections);
  const at = titles.map((t) => md.indexOf(`\n## ${t}\n`));
  assert.ok(at.every((i) => i > 0), `sections ${titles.join(', ')} in ${folder}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, 'sections in the lab\'s order');
  const images = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length >= 7, `${images.length} figures`);
  for (const image of images) assert.ok(existsSync(join(folder, image)), image);
  const print = readFileSync(join(folder, 'report.print.html'), 'utf8');
  const svgs = [...print.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(svgs, images.map((i) => i.replace(/\.png$/, '.svg')));
  for (const svg of svgs) assert.match(readFileSync(join(folder, svg), 'utf8'), /^<svg/, svg);
  // Citations: every author–year in the text is a known reference, and each is listed in the sources.
  const body = md.slice(0, at[4]);
  const sources = md.slice(at[4]);
  const known = new Set(Object.values(REFERENCES).map((r) => r.cite));
  const cited = [...body.matchAll(/(?:de )?[A-Z][\w-]+(?: et al\.| & [A-Z][\w-]+)?, \d{4}/g)].map((m) => m[0]);
  assert.ok(cited.length > 20);
  for (const c of cited) {
    assert.ok(known.has(c), `unknown citation "${c}"`);
    const entry = Object.values(REFERENCES).find((r) => r.cite === c)!.entry;
    assert.ok(sources.includes(entry.slice(0, 40)), `no source for "${c}"`);
  }
  for (const dataset of ['Silveira', 'Socher', 'Wang, A.', 'de Marneffe', 'Vaswani', 'Tenney', 'Hewitt', 'Belinkov']) assert.ok(sources.includes(dataset), dataset);
  return md;
}

/** Page count, and every page rasterised by poppler and not blank (grey-level variance). */
function checkPdf(folder: string): number {
  const pdf = join(folder, 'report.pdf');
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  assert.ok(pages >= 5, `${pages} pages for 5 sections`);
  const out = join(folder, 'pages');
  execFileSync('pdftoppm', ['-r', '30', '-gray', pdf, join(out + '-p')]);
  const files = readdirSync(folder).filter((f) => /^pages-p-\d+\.pgm$/.test(f));
  assert.equal(files.length, pages);
  for (const f of files) {
    const buf = readFileSync(join(folder, f));
    const header = /^P5\s+\d+\s+\d+\s+\d+\s/.exec(buf.subarray(0, 40).toString('latin1'))!;
    const px = buf.subarray(header[0].length);
    let sum = 0;
    let squares = 0;
    for (const v of px) (sum += v), (squares += v * v);
    const variance = squares / px.length - (sum / px.length) ** 2;
    assert.ok(variance > 50, `${f} looks blank (variance ${variance.toFixed(1)})`);
  }
  return pages;
}

test('the English report has the lab\'s five sections, every figure and every source, and the PDF its pages', () => {
  assert.equal(english.status, 0, english.stderr);
  const md = checkReport(folderA, 'en');
  assert.match(md, /^# Layer-wise probing of `.*tiny-roberta`/);
  assert.match(md, /\| `upos` \| syntax \| word \| 17 \| 200 \| 100 \|/);
  // Conclusions cite their evidence: an interval for every task.
  for (const task of TASKS) assert.match(md, new RegExp(`- \`${task.replace('.', '\\.')}\`: best layer \\S+ \\(chosen on dev\\), test accuracy 0\\.\\d{3} \\[0\\.\\d{3}, [01]\\.\\d{3}\\]`));
  assert.match(readFileSync(join(folderA, 'accuracy-curves.svg'), 'utf8'), />Layer</);
  checkPdf(folderA);
});

test('with --lang ru the report and figure labels are Russian, numbers with a decimal comma', () => {
  assert.equal(comparison.status, 0, comparison.stderr);
  const md = checkReport(folderB, 'ru');
  assert.match(md, /^# Послойный анализ модели `.*tiny-roberta-opset17`/);
  assert.match(md, /скрытые состояния/);
  assert.match(md, /зондирующ/);
  assert.match(md, /доверительн/);
  const tables = md.split('\n').filter((l) => l.startsWith('|'));
  assert.ok(tables.some((l) => /\| 0,\d{3} \|/.test(l)), 'decimal commas in the tables');
  assert.deepEqual(tables.filter((l) => /\d\.\d{3}/.test(l)), [], 'no decimal points in the tables');
  const svg = readFileSync(join(folderB, 'accuracy-curves.svg'), 'utf8');
  assert.match(svg, />Слой</);
  assert.match(svg, /точность/);
  assert.match(svg, />0,[1-9]</); // Plotly's ticks with the Russian separators
  assert.ok(checkPdf(folderB) >= 5);
});

test('lab --model A --model B reuses A\'s results and draws the comparison on relative depth', () => {
  assert.equal(comparison.status, 0, comparison.stderr);
  assert.match(comparison.stderr, /reusing .*test-fixtures-tiny-roberta\/results\.csv \(same settings\)/);
  assert.equal(statSync(join(folderA, 'results.csv')).mtimeMs, resultsBefore, 'A was not run again');
  const out = join(dir, 'comparison-tiny-roberta-vs-tiny-roberta-opset17');
  for (const ext of ['png', 'svg', 'html']) assert.ok(existsSync(join(out, `comparison-accuracy.${ext}`)), ext);
  const svg = readFileSync(join(out, 'comparison-accuracy.svg'), 'utf8');
  assert.match(svg, /Относительная глубина/);
  assert.match(svg, /tiny-roberta-opset17/);
  const md = readFileSync(join(out, 'comparison.md'), 'utf8');
  assert.match(md, /^# Сравнение моделей/);
  assert.match(md, /!\[[^\]]+\]\(comparison-accuracy\.png\)/);
  for (const task of TASKS) assert.match(md, new RegExp(`\\| \`${task.replace('.', '\\.')}\` \\| \\S+ \\(\\d,\\d{2}\\) \\| 0,\\d{3} \\[`), task);
  // The deeper model's best layers are on a 4-layer scale, the other's on 3: depths k/4 and k/3.
  const depths = [...md.matchAll(/\| `[\w.]+` \| \S+ \((\d,\d{2})\) \| [^|]+ \| \S+ \((\d,\d{2})\) \|/g)].map((m) => [m[1], m[2]]);
  assert.equal(depths.length, TASKS.length);
  for (const [a, b] of depths) {
    assert.ok(['0,00', '0,25', '0,50', '0,75', '1,00'].includes(a), a);
    assert.ok(['0,00', '0,33', '0,67', '1,00'].includes(b), b);
  }
});
