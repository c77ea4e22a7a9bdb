import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import type { UnitOutput } from './unit.js';

/** One unit of the protocol: a probe fitted on one layer with one seed, for one task. */
export interface UnitKey {
  task: string;
  probe: string;
  layer: number;
  seed: number;
}

/** Bump when what a journal line means changes. */
const JOURNAL_FORMAT = 2;

/** A unit's output as one JSON line: typed arrays as arrays, non-finite numbers as strings (JSON has none). */
interface JournalLine extends UnitKey {
  testPredictions: number[];
  devPredictions: number[];
  fit: UnitOutput['fit'];
  controlAccuracy?: number | string;
  mdlBits?: number | string;
  mdlCompression?: number | string;
}

const keyOf = ({ task, probe, layer, seed }: UnitKey) => JSON.stringify([task, probe, layer, seed]);
const encodeNumber = (v: number | undefined) => (v === undefined || Number.isFinite(v) ? v : String(v));
const decodeNumber = (v: number | string | undefined) => (v === undefined ? undefined : Number(v));

/**
 * Finished protocol units of one run, on disk, so a killed run resumes where it stopped: one JSON
 * line per unit, each appended by one write and fsync'd before the unit counts as done. A kill
 * can leave only the last line torn; it is ignored (and cut off) when the journal is reopened.
 * Units are independent (each has its own seed), so a resumed run gives the same numbers as an
 * uninterrupted one. The file's name should hold a hash of every setting that changes numbers: a
 * journal is only ever read by a run with the same settings.
 */
export class UnitJournal {
  private readonly done = new Map<string, UnitOutput>();
  private readonly header: string;
  /** Opened at the first unit, so a run that fails before fitting anything leaves no file. */
  private fd: number | undefined;
  /** Units read back from an earlier run, and units this run fitted and added. */
  readonly counts = { resumed: 0, written: 0 };

  constructor(readonly path: string, settings: unknown) {
    this.header = JSON.stringify({ journal: JOURNAL_FORMAT, settings });
    if (existsSync(path)) this.load(this.header);
  }

  /** Reads the complete lines of an earlier run's journal and cuts off a torn last line. */
  private load(header: string): void {
    const bytes = readFileSync(this.path);
    const complete = bytes.lastIndexOf(0x0a) + 1;
    const [first, ...lines] = bytes.subarray(0, complete).toString('utf8').split('\n').slice(0, -1);
    if (first !== header) return; // another format or other settings: start anew
    for (const line of lines) {
      let parsed: JournalLine;
      try {
        parsed = JSON.parse(line) as JournalLine;
      } catch {
        continue;
      }
      const output: UnitOutput = { testPredictions: Int32Array.from(parsed.testPredictions), devPredictions: Int32Array.from(parsed.devPredictions), fit: parsed.fit };
      if (parsed.controlAccuracy !== undefined) output.controlAccuracy = decodeNumber(parsed.controlAccuracy);
      if (parsed.mdlBits !== undefined) output.mdlBits = decodeNumber(parsed.mdlBits);
      if (parsed.mdlCompression !== undefined) output.mdlCompression = decodeNumber(parsed.mdlCompression);
      this.done.set(keyOf(parsed), output);
    }
    if (complete < bytes.length) truncateSync(this.path, complete);
  }

  private append(line: string): void {
    if (this.fd === undefined) {
      // A new journal, or one of another format or settings, starts with the settings it serves.
      if (this.done.size === 0) writeFileSync(this.path, `${this.header}\n`);
      this.fd = openSync(this.path, 'a');
    }
    writeSync(this.fd, `${line}\n`);
    fsyncSync(this.fd);
  }

  /** Units finished so far, by earlier runs and this one. */
  get size(): number {
    return this.done.size;
  }

  /** A unit an earlier run finished, if any. */
  get(key: UnitKey): UnitOutput | undefined {
    const output = this.done.get(keyOf(key));
    if (output) this.counts.resumed++;
    return output;
  }

  /** Records a finished unit (durably, before returning). */
  put(key: UnitKey, output: UnitOutput): void {
    const line: JournalLine = {
      ...key,
      testPredictions: Array.from(output.testPredictions),
      devPredictions: Array.from(output.devPredictions),
      fit: output.fit,
      controlAccuracy: encodeNumber(output.controlAccuracy),
      mdlBits: encodeNumber(output.mdlBits),
      mdlCompression: encodeNumber(output.mdlCompression),
    };
    this.append(JSON.stringify(line));
    this.done.set(keyOf(key), output);
    this.counts.written++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
