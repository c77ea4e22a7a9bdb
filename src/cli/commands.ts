import type { Command } from './command.js';

/** Every subcommand, in the order `layerwise --help` lists them. */
export const commands: Command[] = [];
