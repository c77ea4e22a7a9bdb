import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { downloadFileToCacheDir } from '@huggingface/hub';
import { writeFileAtomic } from '../core/atomic.js';
import { huggingFaceEndpoint, huggingFaceHubCache, huggingFaceToken } from '../core/config.js';

export interface HubOptions {
  /** Hugging Face hub cache; default `$HF_HUB_CACHE` or `~/.cache/huggingface/hub`, shared with Python. */
  cacheDir?: string;
  /** Never touch the network: use only what is cached. */
  offline?: boolean;
  revision?: string;
  /** Hub address; default `$HF_ENDPOINT` or huggingface.co. */
  hubUrl?: string;
}


function repoFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, `models--${repo.replaceAll('/', '--')}`);
}

/** The snapshot folder a cached revision points at (Python's layout: refs/<rev> holds the commit). */
function cachedSnapshot(cacheDir: string, repo: string, revision: string, files: string[]): string | undefined {
  const folder = repoFolder(cacheDir, repo);
  const refPath = join(folder, 'refs', revision);
  const commit = existsSync(refPath) ? readFileSync(refPath, 'utf8').trim() : revision;
  const has = (dir: string) => files.every((f) => existsSync(join(dir, f)));
  const direct = join(folder, 'snapshots', commit);
  if (has(direct)) return direct;
  if (existsSync(refPath) || /^[0-9a-f]{40}$/.test(revision)) return undefined;
  // No ref recorded: take the newest snapshot that has every file.
  const snapshots = join(folder, 'snapshots');
  if (!existsSync(snapshots)) return undefined;
  return readdirSync(snapshots)
    .map((name) => join(snapshots, name))
    .filter(has)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function networkReason(err: unknown): string {
  const e = err as { statusCode?: number; message?: string; cause?: { code?: string; message?: string } };
  if (e.statusCode === 401 || e.statusCode === 404) return `the hub has no such model (HTTP ${e.statusCode})`;
  if (e.statusCode) return `the hub answered HTTP ${e.statusCode}`;
  return `the hub could not be reached (${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)})`;
}

/**
 * Fetches `files` of a hub model into the Hugging Face cache (once) with the hub library's
 * own download code, and returns the local snapshot folder. Falls back to the cache when
 * offline or when the network fails.
 */
export async function snapshotFolder(repo: string, files: string[], options: HubOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? huggingFaceHubCache();
  const revision = options.revision ?? 'main';
  const cached = cachedSnapshot(cacheDir, repo, revision, files);
  if (cached) return cached;
  // `models/tiny` may be a hub id or a mistyped local path: say so when its first part is a local folder.
  const local = existsSync(repo.split('/')[0]) ? ` (there is no local folder ./${repo} either: check the path if you meant one)` : '';
  const howTo = `download it once with network access (or set HF_HUB_CACHE to a cache that has it), or pass a local folder with config.json, tokenizer.json and ${files[files.length - 1]}${local}`;
  if (options.offline) throw new Error(`model "${repo}" is not in the Hugging Face cache ${cacheDir} and offline mode is on: ${howTo}`);
  const pointers: string[] = [];
  for (const path of files) {
    try {
      pointers.push(await downloadFileToCacheDir({ repo, path, revision, cacheDir, hubUrl: options.hubUrl ?? huggingFaceEndpoint(), accessToken: huggingFaceToken() }));
    } catch (err) {
      throw new Error(`cannot get ${path} of model "${repo}": ${networkReason(err)}, and it is not in the cache ${cacheDir}; ${howTo}`);
    }
  }
  // The hub library files each download under the last commit that touched it; gather
  // them in one snapshot folder (the model file's) so the model loads from one place.
  const snapshotOf = (pointer: string, path: string) => pointer.slice(0, pointer.length - path.length - 1);
  const snapshot = snapshotOf(pointers[pointers.length - 1], files[files.length - 1]);
  files.forEach((path, i) => {
    const target = join(snapshot, path);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(realpathSync(pointers[i]), target);
  });
  // Record the ref as Python's huggingface_hub does, so offline runs find this snapshot.
  writeFileAtomic(join(repoFolder(cacheDir, repo), 'refs', revision), snapshot.split('/').pop()!);
  return snapshot;
}
