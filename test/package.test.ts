// The package as someone else gets it: `npm pack`, installed into a fresh project without network,
// imported from TypeScript, and run through `npx layerwise`.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readNpy } from '../src/core/npy.js';
import { FIXTURES, ROOT, ensureBuilt, tempDir } from './helpers.js';

const dir = tempDir('layerwise-package-');
const project = join(dir, 'consumer');
const MODEL = join(FIXTURES, 'tiny-roberta');
const TEXTS = ['Hello world.', 'The bank of the river.'];
after(() => rmSync(dir, { recursive: true, force: true }));

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

interface Lock {
  packages: Record<string, { dev?: boolean }>;
}

interface Manifest {
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  overrides: Record<string, unknown>;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): { stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

let pack: PackResult;

before(() => {
  ensureBuilt();
  // --ignore-scripts: dist/ is already built (prepack would rebuild it, which `npm test` just did).
  [pack] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT }).stdout) as PackResult[];
});

test('the tarball holds dist/, bin/ and the corpora, and nothing of the development tree', () => {
  const paths = pack.files.map((f) => f.path);
  for (const needed of ['package.json', 'README.md', 'bin/layerwise.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'data/ud-english-ewt/en_ewt-ud-dev.conllu', 'data/ud-russian-gsd/ru_gsd-ud-test.conllu', 'data/sst2/train.tsv', 'data/README.md']) {
    assert.ok(paths.includes(needed), `${needed} is not in the tarball`);
  }
  const stray = paths.filter((p) => !/^(package\.json|README\.md|bin\/|dist\/|data\/)/.test(p) || p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts'));
  assert.deepEqual(stray, []);
  assert.ok(pack.size < 4e6, `tarball is ${pack.size} bytes`);
});

test('installs offline into a new project, imports from TypeScript, and runs `npx layerwise`', () => {
  // `npm install <tarball>` would ask the registry for version lists (the cache holds tarballs, not
  // those lists). A lockfile taken from layerwise's own pins every dependency to a cached tarball, so
  // `npm install --offline` installs with no network; the project repeats layerwise's `overrides`, as any
  // project must (npm applies overrides of the root project only).
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const tarball = join(dir, pack.filename);
  const dependencies = { layerwise: `file:${tarball}` };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies },
    'node_modules/layerwise': { version: manifest.version, resolved: `file:${tarball}`, integrity, license: manifest.license, dependencies: manifest.dependencies, bin: manifest.bin, engines: manifest.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies, overrides: manifest.overrides }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  copyFileSync(join(ROOT, '.npmrc'), join(project, '.npmrc'));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: project });

  // Types: a TypeScript file importing the package by name compiles against dist/*.d.ts.
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, skipLibCheck: true, types: [] } }));
  writeFileSync(join(project, 'embed.ts'), `import { Encoder, type SentenceVectors } from 'layerwise';
const encoder = await Encoder.load(${JSON.stringify(MODEL)});
const vectors: SentenceVectors = await encoder.embed(${JSON.stringify(TEXTS)}, { pooling: 'mean' });
console.log(JSON.stringify({ layers: vectors.layers, rows: vectors.rows, hiddenSize: vectors.hiddenSize }));
await encoder.dispose();
`);
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project });
  const env = { ...process.env, LAYERWISE_CACHE: join(dir, 'cache') };
  const imported = JSON.parse(run(process.execPath, ['embed.js'], { cwd: project, env }).stdout) as { layers: number[]; rows: number; hiddenSize: number };
  assert.deepEqual(imported, { layers: [0, 1, 2, 3, 4], rows: 2, hiddenSize: 32 });

  const help = run('npx', ['--no-install', 'layerwise', '--help'], { cwd: project });
  assert.match(help.stdout, /^usage: layerwise <command>/);

  // The installed command gives the numbers the checkout gives.
  writeFileSync(join(project, 'texts.txt'), TEXTS.join('\n') + '\n');
  run('npx', ['--no-install', 'layerwise', 'embed', '--model', MODEL, '--input', 'texts.txt', '--pooling', 'mean', '--out', 'installed.npy'], { cwd: project, env });
  run(process.execPath, [join(ROOT, 'bin', 'layerwise.js'), 'embed', '--model', MODEL, '--input', join(project, 'texts.txt'), '--pooling', 'mean', '--out', join(dir, 'checkout.npy')], { env: { ...env, LAYERWISE_CACHE: join(dir, 'cache2') } });
  assert.deepEqual(Array.from(readNpy(join(project, 'installed.npy')).data), Array.from(readNpy(join(dir, 'checkout.npy')).data));

  // The corpora are found inside the installed package, wherever the project is.
  const tasks = JSON.parse(run('npx', ['--no-install', 'layerwise', 'tasks', '--json'], { cwd: project }).stdout) as Array<{ name: string; train: number }>;
  assert.ok(tasks.find((t) => t.name === 'upos')!.train > 20000);
});

test('`layerwise --help` loads none of the dependencies', () => {
  // A resolve hook lists every module the command loads.
  const hook = `data:text/javascript,${encodeURIComponent('export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("LOADED " + r.url + "\\n"); return r; }')}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
  for (const args of [['--help'], ['embed', '--help'], ['lab', '--help'], ['probe-features', '--help']]) {
    const r = run(process.execPath, ['--import', register, join(ROOT, 'bin', 'layerwise.js'), ...args], { cwd: ROOT });
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ') && l.includes('/node_modules/'));
    assert.deepEqual(loaded, [], `layerwise ${args.join(' ')} loaded dependencies`);
  }
});
