/** Progress for long work: a callback the library calls, and a bar for the terminal. */
export interface Progress {
  done: number;
  total: number;
  label?: string;
}
export type ProgressCallback = (p: Progress) => void;

/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms. When stderr is not a
 * terminal (a log file, CI), a plain line every 10 s and one at the end instead.
 */
export function progressBar(label: string): ProgressCallback {
  let last = 0;
  let lastLine = Date.now();
  const started = Date.now();
  return ({ done, total, label: sub }) => {
    const now = Date.now();
    const finished = done >= total;
    if (!finished && now - last < 100) return;
    last = now;
    const frac = total > 0 ? done / total : 1;
    const width = 30;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const secs = ((now - started) / 1000).toFixed(1);
    const line = `${label}${sub ? ` ${sub}` : ''} ${bar} ${done}/${total} ${secs}s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K${finished ? '\n' : ''}`);
    else if (finished || now - lastLine >= 10_000) {
      lastLine = now;
      process.stderr.write(`${line}\n`);
    }
  };
}
