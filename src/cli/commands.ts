import type { Command } from './command.js';
import { embedCommand } from './embed.js';
import { conlluCommand } from './conllu.js';
import { tasksCommand } from './tasks.js';

/** Every subcommand, in the order `layerwise --help` lists them. */
export const commands: Command[] = [embedCommand, tasksCommand, conlluCommand];
