import { conlluCommand } from './conllu.js';
import { embedCommand } from './embed.js';
import { labCommand } from './lab.js';
import type { CommandSpec, OptionSpecs } from './options.js';
import { plotCommand } from './plot.js';
import { probeFeaturesCommand } from './probe-features.js';
import { probeCommand } from './probe.js';
import { tasksCommand } from './tasks.js';

/** Every subcommand, in the order `layerwise --help` lists them. Each loads its heavy modules only when run. */
export const commands = [labCommand, embedCommand, tasksCommand, conlluCommand, probeCommand, probeFeaturesCommand, plotCommand] as unknown as CommandSpec<OptionSpecs>[];
