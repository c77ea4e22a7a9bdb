/** Progress for long work: a callback the library calls, and a bar for the terminal. */
export interface Progress {
  done: number;
  total: number;
  label?: string;
}
export type ProgressCallback = (p: Progress) => void;

/** Terminal bars not finished yet, in the order they started: work running side by side (a task probed while the next is extracted) gets a line each. */
const live: Array<{ line: string }> = [];
/** Lines of live bars on the screen now; the cursor is on the last. */
let drawn = 0;

/** Rewrites the live bars in place, a finished bar's last line first (it stays above them). */
function draw(finished?: string): void {
  let out = drawn > 1 ? `\x1b[${drawn - 1}A\r` : '\r';
  if (finished !== undefined) out += `${finished}\x1b[K\n`;
  out += `${live.map((bar) => `${bar.line}\x1b[K`).join('\n')}\x1b[J`;
  drawn = live.length;
  process.stderr.write(out);
}

/** Writes a line to stderr above any live bars (a plain line when stderr is not a terminal). */
export function printLine(line: string): void {
  if (process.stderr.isTTY && live.length > 0) draw(line);
  else process.stderr.write(`${line}\n`);
}

/**
 * A progress bar on stderr, redrawn at most every 100 ms; bars that run at the same time are
 * drawn on lines of their own. When stderr is not a terminal (a log file, CI), a plain line
 * every 10 s and one at the end instead.
 */
export function progressBar(label: string): ProgressCallback {
  let last = 0;
  let lastLine = Date.now();
  const started = Date.now();
  const bar = { line: '' };
  return ({ done, total, label: sub }) => {
    const now = Date.now();
    const finished = done >= total;
    if (!finished && now - last < 100) return;
    last = now;
    const frac = total > 0 ? done / total : 1;
    const width = 30;
    const shown = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const secs = ((now - started) / 1000).toFixed(1);
    bar.line = `${label}${sub ? ` ${sub}` : ''} ${shown} ${done}/${total} ${secs}s`;
    if (process.stderr.isTTY) {
      const at = live.indexOf(bar);
      if (finished) {
        if (at >= 0) live.splice(at, 1);
        draw(bar.line);
      } else {
        if (at < 0) live.push(bar);
        draw();
      }
    } else if (finished || now - lastLine >= 10_000) {
      lastLine = now;
      process.stderr.write(`${bar.line}\n`);
    }
  };
}
