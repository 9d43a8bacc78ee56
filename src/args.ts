// A small argument parser: the original tool's flags take several values after one flag
// (`--device-type A_X100 B_Y100`), which node's util.parseArgs cannot express.
import { UsageError } from './errors.js';
import { closest } from './suggest.js';

export type FlagKind = 'string' | 'list' | 'boolean';
export type Flags = Record<string, string | string[] | boolean | undefined>;

export interface Parsed {
  flags: Flags;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagKind>, maxPositionals: number, command: string): Parsed {
  const flags: Flags = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`${command}: unknown option ${arg}`, `see flagpatch ${command} --help`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) {
      const near = closest(name, Object.keys(spec));
      throw new UsageError(`${command}: unknown option --${name}`, near ? `did you mean --${near}? (flagpatch ${command} --help)` : `see flagpatch ${command} --help`);
    }
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`${command}: --${name} takes no value`, `write --${name} alone`);
      flags[name] = true;
      continue;
    }
    const values: string[] = [];
    if (eq !== -1) values.push(arg.slice(eq + 1));
    else if (kind === 'string') {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`${command}: --${name} needs a value`, `write --${name} <value>`);
      values.push(argv[++i]);
    } else {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
      if (values.length === 0) throw new UsageError(`${command}: --${name} needs at least one value`, `write --${name} <value> [<value>...]`);
    }
    if (kind === 'string') {
      if (flags[name] !== undefined) throw new UsageError(`${command}: --${name} is given twice`, `give --${name} once`);
      flags[name] = values[0];
    } else {
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...values];
    }
  }
  if (positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[maxPositionals])}`, `see flagpatch ${command} --help`);
  }
  return { flags, positionals };
}
