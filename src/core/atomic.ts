import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes a file so that a killed process never leaves a half-written one: temp file, then rename. */
export function writeFileAtomic(path: string, chunks: Uint8Array | string | Iterable<Uint8Array>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    if (typeof chunks === 'string' || chunks instanceof Uint8Array) {
      writeFileSync(tmp, chunks);
    } else {
      const fd = openSync(tmp, 'w');
      try {
        for (const chunk of chunks) writeSync(fd, chunk);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Whether a process with this id is running (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock older than this is a leftover (a lock guards a few seconds of writing), even if its pid was reused. */
const STALE_LOCK_MS = 60_000;

/**
 * Runs `fn` (synchronous, so no other code of this process runs meanwhile) holding the lock file
 * `path`, which holds the owner's pid: other processes wait for it. A lock whose process is gone
 * (killed while holding it) or that is older than a minute is taken over.
 */
export function withLockFile<T>(path: string, fn: () => T): T {
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    let age = 0;
    try {
      owner = Number(readFileSync(path, 'utf8'));
      age = Date.now() - statSync(path).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // An empty lock is one being created right now, unless it is old.
    const held = Number.isInteger(owner) && owner > 0 ? owner !== process.pid && alive(owner) : age < 1000;
    if (held && age < STALE_LOCK_MS) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    else rmSync(path, { force: true });
  }
  try {
    return fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Builds a folder as one consistent set: `build` writes into a sibling staging folder, which then
 * replaces `dir` by two renames. A run killed while building leaves `dir` as it was (its staging
 * folder is removed by the next run), so old and new files never mix. The whole of `dir` is
 * replaced: callers check first that it holds nothing else.
 */
export async function replaceFolder<T>(dir: string, build: (staging: string) => Promise<T>): Promise<T> {
  const parent = dirname(dir);
  const name = basename(dir);
  mkdirSync(parent, { recursive: true });
  // Staging folders of killed runs: `.name.<pid>.tmp`, removed unless their process still runs.
  for (const entry of readdirSync(parent)) {
    const match = entry.startsWith(`.${name}.`) ? /^(\d+)\.(tmp|old)$/.exec(entry.slice(name.length + 2)) : null;
    if (match && !alive(Number(match[1]))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const staging = join(parent, `.${name}.${process.pid}.tmp`);
  const old = join(parent, `.${name}.${process.pid}.old`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  let result: T;
  try {
    result = await build(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(staging, dir);
  rmSync(old, { recursive: true, force: true });
  return result;
}
