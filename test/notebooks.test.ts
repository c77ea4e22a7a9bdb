// Executes the notebooks in notebooks/ headlessly under the real tslab kernel (Debian's
// Jupyter in /usr/bin/python3, through scripts/run-notebook.py = nbconvert --execute that keeps
// the failing cell's output) and checks what they print. To add a notebook, add one line to
// `notebooks` below; give it a `check` for the values it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = '/usr/bin/python3';
const setupHint = 'run scripts/setup-jupyter.sh (CI installs Jupyter with .ci/run)';

/** The text a notebook printed, one entry per code cell, in order. */
type CellOutputs = string[];

interface NotebookCase {
  file: string;
  check?: (cells: CellOutputs) => void;
}

const notebooks: NotebookCase[] = [
  { file: '00-smoke.ipynb', check: checkSmoke },
];

interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  evalue?: string;
}
interface NotebookCell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}

function readCells(path: string): NotebookCell[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { cells: NotebookCell[] }).cells;
}

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join('') : (text ?? ''));

/** Fails in one line unless Jupyter and a startable tslab kernel are installed, and dist/ is built. */
function requireJupyterAndBuild(): void {
  const probe = spawnSync(python, ['-c', [
    'import nbconvert, nbclient',
    'from jupyter_client.kernelspec import KernelSpecManager',
    "print(KernelSpecManager().get_kernel_spec('tslab').argv[0])",
  ].join('\n')], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    assert.fail(`Jupyter or its tslab kernel is missing from ${python}: ${setupHint}`);
  }
  const kernelBinary = probe.stdout.trim();
  if (!existsSync(kernelBinary)) {
    assert.fail(`the tslab kernel points at ${kernelBinary}, which does not exist: ${setupHint}`);
  }
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    assert.fail('dist/index.js is missing: run npm run build (npm test does it)');
  }
}

/** What a cell printed to the given streams (tslab prints compile errors to stderr), and the values it displayed. */
function cellText(cell: NotebookCell, streams: string[]): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type !== 'stream' || streams.includes(o.name ?? ''))
    .map((o) => (o.output_type === 'stream' ? joined(o.text) : joined(o.data?.['text/plain'] ?? o.evalue)))
    .join('');
}

/** Runs the notebook (kernel cwd = notebooks/) and returns what each code cell printed to stdout. */
function executeNotebook(file: string): CellOutputs {
  const outDir = mkdtempSync(join(tmpdir(), 'layerwise-notebook-'));
  try {
    const executed = join(outDir, file);
    const run = spawnSync(python, [join(root, 'scripts', 'run-notebook.py'), join(root, 'notebooks', file), executed], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const failedCell = /cell (\d+) failed/.exec(run.stderr ?? '');
    if (failedCell && existsSync(executed)) {
      const text = cellText(readCells(executed)[Number(failedCell[1])], ['stdout', 'stderr']).trim();
      assert.fail(`${file}: cell ${failedCell[1]} failed:\n${text}`);
    }
    const tail = (run.stderr ?? '').trim().split('\n').slice(-10).join('\n');
    assert.equal(run.status, 0, `running ${file} failed (${run.error?.message ?? `exit ${run.status}`}):\n${tail}`);
    return readCells(executed)
      .filter((cell) => cell.cell_type === 'code')
      .map((cell) => cellText(cell, ['stdout']));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The one printed line that starts with `prefix`, without the prefix. */
function printed(cells: CellOutputs, prefix: string): string {
  const lines = cells.join('\n').split('\n').filter((l) => l.startsWith(prefix));
  assert.equal(lines.length, 1, `expected one line starting with "${prefix}", got ${lines.length}`);
  return lines[0].slice(prefix.length);
}

function checkSmoke(cells: CellOutputs): void {
  assert.equal(printed(cells, 'npy round trip: '), 'shape=2x3 values=1,2,3,4,5,6');

  // The reference was tokenized and run by the Python transformers/torch stack.
  const reference = JSON.parse(readFileSync(join(root, 'test/fixtures/tiny-roberta/reference.json'), 'utf8')) as {
    sentences: { text: string; input_ids: number[] }[];
  };
  const sentence = reference.sentences[1];
  assert.equal(printed(cells, 'sentence: '), sentence.text);
  assert.deepEqual(JSON.parse(printed(cells, 'token ids: ')), sentence.input_ids);

  const hidden = /^dims=(\S+) max\|onnx - torch\|=(\S+)$/.exec(printed(cells, 'last_hidden_state: '));
  assert.ok(hidden, 'unparsable last_hidden_state line');
  assert.equal(hidden[1], `1x${sentence.input_ids.length}x32`);
  const maxAbsDiff = Number(hidden[2]);
  assert.ok(Number.isFinite(maxAbsDiff) && maxAbsDiff < 1e-4, `ONNX Runtime differs from torch by ${hidden[2]}`);
}

for (const notebook of notebooks) {
  test(`notebook ${notebook.file} is committed without outputs`, () => {
    for (const cell of readCells(join(root, 'notebooks', notebook.file))) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, [], `${notebook.file}: clear outputs before committing`);
      assert.equal(cell.execution_count, null, `${notebook.file}: clear execution counts before committing`);
    }
  });

  test(`notebook ${notebook.file} runs under the tslab kernel`, () => {
    requireJupyterAndBuild();
    const cells = executeNotebook(notebook.file);
    notebook.check?.(cells);
  });
}
