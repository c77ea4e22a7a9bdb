import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export function tempDir(prefix = 'layerwise-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** True when some src/ file is newer than its compiled dist/ file (or that is missing). */
function distIsStale(dir = join(ROOT, 'src')): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return distIsStale(path);
    if (!entry.name.endsWith('.ts')) return false;
    const built = path.replace(join(ROOT, 'src'), join(ROOT, 'dist')).replace(/\.ts$/, '.js');
    return !existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs;
  });
}

let checked = false;

/** Compiles src/ to dist/ when dist/ is stale (`npm test` compiles first; a lone test file may not have). */
export function ensureBuilt(): void {
  if (!checked && distIsStale()) spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  checked = true;
}

/** Runs the built CLI as a user would. */
export function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number; stdout: string; stderr: string } {
  ensureBuilt();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'layerwise.js'), ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The body cells of an HTML table (`htmlTable`, `frameTable`, `tokenTable` output), row by row, as text. */
export function tableCells(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html);
  if (!body) throw new Error('an HTML output without a table body');
  const decode = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return [...body[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => decode(cell[1])));
}
