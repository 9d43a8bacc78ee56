// The thin CLI: parse flags, call the library, print, return the exit code. The only place
// that decides what the user reads and the exit code; src/cli.ts binds it to the process,
// tests call it in-process (the fuzzing does, thousands of times). The command table (flags,
// help, how each result prints) is src/cli/commands.ts; rendering is src/cli/render.ts.
import { parseArgs } from './args.js';
import { commands, printJson, type Output } from './cli/commands.js';
import { errorJson, renderError } from './cli/render.js';
import { FlagpatchError, UsageError } from './errors.js';
import { closest } from './suggest.js';
import { safeLine } from './text.js';

export { JSON_VERSION } from './cli/commands.js';

/** Where a run reads and writes: the process for the real CLI, buffers in tests. */
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  stdin(): Promise<string>;
  /** Whether stdout / stderr are terminals (colour, progress). */
  tty: { stdout: boolean; stderr: boolean };
  /** Aborted when the run must stop (the binary aborts it on Ctrl-C, SIGTERM and SIGHUP). */
  signal?: AbortSignal;
}

function usage(): string {
  return [
    'flagpatch — one patch per device and base commit, kept fresh by git hooks',
    '',
    'Usage: flagpatch <command> [options]      (flagpatch <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`),
    '',
    'Exit codes: 0 success, 1 a check failed or the operation was refused, 2 bad usage or config.',
    'FLAGPATCH_DEBUG=1 shows stack traces; NO_COLOR turns colour off.',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const out: Output = {
    // Every printed line passes safeLine: none can be taken for a CI workflow command.
    log: (text) => io.stdout(`${text.split('\n').map(safeLine).join('\n')}\n`),
    err: (text) => io.stderr(`${text.split('\n').map(safeLine).join('\n')}\n`),
    progress: (line) => {
      if (io.tty.stderr) io.stderr(`${line}\n`);
    },
    color: io.tty.stdout && !io.env.NO_COLOR && io.env.TERM !== 'dumb',
    json: false,
    command: '',
    at: { cwd: io.cwd, env: io.env, signal: io.signal },
    stdin: io.stdin,
  };
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      out.log(usage());
      return name ? 0 : 2;
    }
    if (name === '--version' || name === '-v') {
      const { ownPackage } = await import('./templates.js');
      out.log(ownPackage().version);
      return 0;
    }
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) {
      const near = closest(name, Object.keys(commands));
      throw new UsageError(`unknown command ${JSON.stringify(name)}`, `${near ? `did you mean flagpatch ${near}? ` : ''}commands: ${Object.keys(commands).join(', ')} (flagpatch --help)`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      out.log(`Usage: ${command.usage}\n\n${command.help}`);
      return 0;
    }
    out.command = name;
    // Set before parsing, so a usage error under --json is JSON too.
    out.json = Object.hasOwn(command.flags, 'json') && rest.includes('--json');
    const { flags, positionals } = parseArgs(rest, command.flags, command.positionals, name);
    out.json = flags.json === true;
    return await command.run(flags, positionals, out);
  } catch (e) {
    return report(e, out, io.env.FLAGPATCH_DEBUG === '1', io.signal);
  }
}

function report(e: unknown, out: Output, debug: boolean, signal: AbortSignal | undefined): number {
  // Interrupted (Ctrl-C): the library has cleaned up and the binary ends the process of the
  // same signal; say nothing more.
  if (signal?.aborted) return 1;
  if (out.json) printJson(out, out.command, errorJson(e));
  for (const line of renderError(out, e, debug)) out.err(line);
  return e instanceof FlagpatchError ? e.exitCode : 1;
}
