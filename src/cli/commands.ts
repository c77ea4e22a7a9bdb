import type { Command } from './command.js';
import { embedCommand } from './embed.js';
import { conlluCommand } from './conllu.js';
import { tasksCommand } from './tasks.js';
import { plotCommand } from './plot.js';
import { probeFeaturesCommand } from './probe-features.js';

/** Every subcommand, in the order `layerwise --help` lists them. */
export const commands: Command[] = [embedCommand, tasksCommand, conlluCommand, plotCommand, probeFeaturesCommand];
