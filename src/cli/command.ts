/** A CLI subcommand: parses its own arguments, returns the process exit code. */
export interface Command {
  name: string;
  summary: string; // one line for `layerwise --help`
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** An error the CLI prints as one line (no stack) before exiting non-zero. */
export class UsageError extends Error {}
