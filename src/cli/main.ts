import { debugEnabled } from '../core/config.js';
import { commands } from './commands.js';
import { parseOptions, usage, UsageError } from './options.js';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return ['usage: layerwise <command> [options]', '', ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', "layerwise <command> --help shows a command's options."].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`layerwise: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(command));
    return 0;
  }
  try {
    const { values, positional } = parseOptions(command, rest);
    return await command.run(values, positional);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`layerwise ${name}: ${message}`);
    if (err instanceof UsageError) console.error(usage(command));
    if (debugEnabled() && err instanceof Error) console.error(err.stack);
    return err instanceof UsageError ? 2 : 1;
  }
}
