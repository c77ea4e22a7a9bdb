import type { Command } from './command.js';
import { conlluCommand } from './conllu.js';
import { embedCommand } from './embed.js';
import { labCommand } from './lab.js';
import { plotCommand } from './plot.js';
import { probeCommand } from './probe.js';
import { probeFeaturesCommand } from './probe-features.js';
import { tasksCommand } from './tasks.js';

/** Every subcommand, in the order `layerwise --help` lists them. */
export const commands: Command[] = [labCommand, embedCommand, tasksCommand, conlluCommand, probeCommand, probeFeaturesCommand, plotCommand];
