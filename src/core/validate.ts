import { readFileSync } from 'node:fs';

/**
 * Checks every input edge shares: files read as text, numeric options, finite numbers. Each
 * failure is one line naming the file (and 1-based line) or the option, and what to do.
 */

/** Reads a file's bytes; a missing file or a folder is a one-line error, not a stack trace. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `${path}: no such file; check the path` : code === 'EISDIR' ? `${path} is a folder; give a file` : code === 'EACCES' ? `${path}: permission denied; make the file readable` : undefined;
    // The code stays on the error, so callers can still tell a missing file apart.
    throw reason ? Object.assign(new Error(reason), { code }) : err;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A UTF-8 text file as a string, without a leading byte-order mark (editors on Windows add one,
 * and it would otherwise become part of the first line). Invalid UTF-8 is an error naming its line.
 */
export function readText(path: string): string {
  const bytes = readBytes(path);
  try {
    // ignoreBOM: false makes the decoder drop a leading BOM.
    return utf8.decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        utf8.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new Error(`${path}:${line}: not valid UTF-8; save the file as UTF-8`);
  }
}

export interface TextLinesOptions {
  /** Blank lines (empty or only spaces): an error naming the line (default), or skipped. */
  blankLines?: 'error' | 'skip';
  /** Appended to the blank-line error: how to skip them where this file was given (e.g. a flag). */
  skipHint?: string;
}

/**
 * One item per line of a UTF-8 file (`\n` or `\r\n`; a final newline ends the last line, it does
 * not add an empty one). BOM stripped, invalid UTF-8 and blank lines reported with 1-based line numbers.
 */
export function readTextLines(path: string, options: TextLinesOptions = {}): string[] {
  const lines = readText(path).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const blank = lines.findIndex((l) => l.trim() === '');
  if (blank >= 0 && options.blankLines !== 'skip') throw new Error(`${path}:${blank + 1}: blank line; write one item per line${options.skipHint ? ` (${options.skipHint})` : ''}`);
  const kept = blank >= 0 ? lines.filter((l) => l.trim() !== '') : lines;
  if (kept.length === 0) throw new Error(`${path} has no lines; write one item per line`);
  return kept;
}

/** `value` itself when it is an integer ≥ `min`; else an error naming the option. */
export function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/** As `checkInteger`, letting `undefined` (the option left out) through. */
export function checkOptionalInteger(name: string, value: number | undefined, min: number): number | undefined {
  return value === undefined ? undefined : checkInteger(name, value, min);
}

/** `value` itself when it is a finite number that `ok` accepts; else an error saying what `name` must be (`meaning`, e.g. "> 0"). */
export function checkNumber(name: string, value: number, ok: (v: number) => boolean, meaning: string): number {
  if (!Number.isFinite(value) || !ok(value)) throw new Error(`${name} must be ${meaning}, got ${value}`);
  return value;
}

/** Index of the first NaN or ±Infinity in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}
