import type { Command } from './command.js';
import { UsageError } from './command.js';
import { commands } from './commands.js';

function help(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return ['usage: layerwise <command> [options]', '', ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'layerwise <command> --help shows a command\'s options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(help(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`layerwise: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`layerwise ${name}: ${message}`);
    if (err instanceof UsageError) console.error(command.usage);
    if (process.env.LAYERWISE_DEBUG && err instanceof Error) console.error(err.stack);
    return err instanceof UsageError ? 2 : 1;
  }
}
