import { parseArgs } from 'node:util';
import { DEFAULTS, DTYPES, ENVIRONMENT, SENTENCE_POOLINGS, WORD_POOLINGS } from '../core/config.js';

/** An error the CLI prints as one line (no stack) with the command's usage, exiting with 2. */
export class UsageError extends Error {}

/**
 * One option, declared once: the parser, the validation and `--help` are all generated from it.
 * `integer` options are checked against `min`; `choice` against `choices`; nothing is coerced.
 * A `multiple` string option may be repeated and its value is every occurrence, in order.
 */
export type OptionSpec =
  | { type: 'boolean'; help: string }
  | { type: 'string'; help: string; placeholder?: string; default?: string; required?: boolean; multiple?: boolean }
  | { type: 'choice'; help: string; choices: readonly string[]; default?: string; required?: boolean }
  | { type: 'integer'; help: string; placeholder?: string; min: number; default?: number; required?: boolean }
  | { type: 'number'; help: string; placeholder?: string; positive: true; default?: number };

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Required<S> = S extends { required: true } ? true : S extends { default: string | number } ? true : false;
type ValueOf<S> = S extends { type: 'boolean' } ? boolean : S extends { multiple: true } ? string[] : S extends { type: 'integer' | 'number' } ? number : S extends { type: 'choice'; choices: readonly (infer C)[] } ? C : string;

/** The parsed values of a command: booleans always present, options with a default or `required` always present. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O as O[K] extends { type: 'boolean' } ? K : Required<O[K]> extends true ? K : never]: ValueOf<O[K]>;
} & {
  [K in keyof O as O[K] extends { type: 'boolean' } ? never : Required<O[K]> extends true ? never : K]?: ValueOf<O[K]>;
};

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for `layerwise --help`. */
  summary: string;
  /** What the command does, for its own `--help`. */
  description: string;
  options: O;
  /** A positional argument the command takes (`FILE`), if any. */
  positional?: { name: string; help: string };
  /** Environment variables that matter to this command. */
  environment?: ReadonlyArray<keyof typeof ENVIRONMENT>;
  run(values: OptionValues<O>, positional: string | undefined): Promise<number>;
}

/** Keeps the option types of `spec` (so `run` sees typed values) while listing it among all commands. */
export function defineCommand<O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

function placeholder(name: string, spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return `--${name}`;
    case 'choice':
      return `--${name} ${spec.choices.join('|')}`;
    case 'string':
      return `--${name} ${spec.placeholder ?? 'N'}${spec.multiple ? ' …' : ''}`;
    default:
      return `--${name} ${spec.placeholder ?? 'N'}`;
  }
}

/** `--help` of a command, generated from its declaration. */
export function usage(command: CommandSpec): string {
  const entries = Object.entries(command.options);
  const required = entries.filter(([, s]) => 'required' in s && s.required).map(([n, s]) => placeholder(n, s));
  const optional = entries.filter(([, s]) => !('required' in s && s.required)).map(([n, s]) => `[${placeholder(n, s)}]`);
  const head = [`usage: layerwise ${command.name}`, ...(command.positional ? [command.positional.name] : []), ...required, ...optional];
  const lines: string[] = [];
  let line = '';
  for (const word of head) {
    if (line && line.length + word.length > 96) {
      lines.push(line);
      line = ' '.repeat(8);
    }
    line += (line.trim() ? ' ' : '') + word;
  }
  lines.push(line);
  const width = Math.max(...entries.map(([n, s]) => placeholder(n, s).length), command.positional?.name.length ?? 0);
  const described = (left: string, help: string) => `  ${left.padEnd(width)}  ${help}`;
  const defaults = (s: OptionSpec) => {
    const notes = [...('multiple' in s && s.multiple ? ['repeatable'] : []), ...('default' in s && s.default !== undefined ? [`default ${s.default}`] : [])];
    return notes.length ? ` (${notes.join('; ')})` : '';
  };
  return [
    ...lines,
    '',
    command.description,
    '',
    ...(command.positional ? [described(command.positional.name, command.positional.help)] : []),
    ...entries.map(([n, s]) => described(placeholder(n, s), s.help + defaults(s))),
    ...(command.environment?.length ? ['', 'Environment:', ...command.environment.map((v) => described(v, ENVIRONMENT[v]))] : []),
  ].join('\n');
}

/** Parses and validates `argv` against the command's declaration; every invalid value is a UsageError. */
export function parseOptions<O extends OptionSpecs>(command: CommandSpec<O>, argv: string[]): { values: OptionValues<O>; positional: string | undefined } {
  const specs = command.options;
  // `--max-length -1`: parseArgs takes -1 for an option and calls the value ambiguous; joined as
  // `--max-length=-1`, the value reaches the check below, which says what the option accepts.
  const takesValue = (arg: string) => /^--[\w-]+$/.test(arg) && specs[arg.slice(2)] !== undefined && specs[arg.slice(2)].type !== 'boolean';
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue(argv[i]) && /^-\d/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type === 'boolean' ? 'boolean' : 'string', multiple: 'multiple' in s && s.multiple === true } as const])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, ''));
  }
  const { positionals } = parsed;
  const max = command.positional ? 1 : 0;
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`);
  if (command.positional && positionals.length === 0) throw new UsageError(`give ${command.positional.name}: ${command.positional.help}`);
  const values: Record<string, string | string[] | number | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = parsed.values[name];
    if (spec.type === 'boolean') {
      values[name] = Boolean(raw);
      continue;
    }
    if (spec.type === 'string' && spec.multiple) {
      const given = (Array.isArray(raw) ? raw : []).map(String);
      if (given.includes('')) throw new UsageError(`--${name} is empty: give a value, or leave the option out`);
      if (given.length === 0 && spec.required) throw new UsageError(`--${name} is required`);
      values[name] = given.length ? given : spec.default === undefined ? undefined : [spec.default];
      continue;
    }
    // An empty value (`--tasks ""`, an unset shell variable) is a mistake, not a request for the default.
    if (raw === '') throw new UsageError(`--${name} is empty: give a value, or leave the option out`);
    if (raw === undefined) {
      if ('required' in spec && spec.required) throw new UsageError(`--${name} is required`);
      values[name] = spec.default;
      continue;
    }
    const text = String(raw);
    switch (spec.type) {
      case 'string':
        values[name] = text;
        break;
      case 'choice':
        if (!spec.choices.includes(text)) throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, got "${text}"`);
        values[name] = text;
        break;
      case 'integer':
        if (!/^-?\d+$/.test(text) || Number(text) < spec.min) throw new UsageError(`--${name} must be an integer ≥ ${spec.min}, got "${text}"`);
        values[name] = Number(text);
        break;
      case 'number':
        if (!/^\d+(\.\d+)?$/.test(text) || !(Number(text) > 0)) throw new UsageError(`--${name} must be a positive number, got "${text}"`);
        values[name] = Number(text);
        break;
    }
  }
  return { values: values as OptionValues<O>, positional: positionals[0] };
}

/** Options of every command that loads a model. */
export const MODEL_OPTIONS = {
  model: { type: 'string', placeholder: '<id|dir>', default: DEFAULTS.model, help: 'Hugging Face model id (downloaded once) or a local model folder' },
  dtype: { type: 'choice', choices: DTYPES, default: DEFAULTS.dtype, help: 'which ONNX file, as transformers.js names them: fp32 = onnx/model.onnx, q8 = model_quantized.onnx, the others model_<dtype>.onnx' },
  offline: { type: 'boolean', help: 'never touch the network: use only the Hugging Face cache' },
  'batch-size': { type: 'integer', min: 1, default: DEFAULTS.batchSize, help: 'texts per ONNX Runtime batch' },
} as const satisfies OptionSpecs;

/** How probing commands pool tokens: one option per level, so nothing is reinterpreted. */
export const POOLING_OPTIONS = {
  'sentence-pooling': { type: 'choice', choices: SENTENCE_POOLINGS, default: DEFAULTS.sentencePooling, help: "sentence tasks: pool a text's tokens (cls = first token)" },
  'word-pooling': { type: 'choice', choices: WORD_POOLINGS, default: DEFAULTS.wordPooling, help: "word tasks: pool a word's subword tokens" },
} as const satisfies OptionSpecs;

export const PROBE_OPTIONS = {
  probe: { type: 'choice', choices: ['linear', 'mlp'], default: DEFAULTS.probe, help: 'linear (softmax regression, L-BFGS) or mlp (one hidden layer)' },
} as const satisfies OptionSpecs;
