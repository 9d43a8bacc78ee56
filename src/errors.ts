// Errors are values: what went wrong, how to fix it, and the exit code the CLI should use.
// Library code throws these; only the CLI prints them and sets the exit code.

/** Exit codes of the SPEC: 1 = a check failed or the operation was refused, 2 = bad usage or config. */
export type ExitCode = 1 | 2;

export class FlagpatchError extends Error {
  constructor(
    message: string,
    readonly fix: string | undefined,
    readonly exitCode: ExitCode = 1,
  ) {
    super(message);
    this.name = 'FlagpatchError';
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends FlagpatchError {
  constructor(message: string, fix?: string) {
    super(message, fix, 2);
    this.name = 'UsageError';
  }
}

/** A config file that cannot be used (exit 2); `problems` lists every bad key at once. */
export class ConfigError extends FlagpatchError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`,
      `fix ${file} (the schema ships as flagpatch/schema.json)`,
      2,
    );
    this.name = 'ConfigError';
  }
}

/** The operation was refused or a check failed (exit 1). */
export class RefusedError extends FlagpatchError {
  constructor(message: string, fix?: string) {
    super(message, fix, 1);
    this.name = 'RefusedError';
  }
}

/** A patch text that flagpatch will not apply: malformed, or reaching outside its tree. */
export class PatchRefusedError extends RefusedError {
  constructor(
    readonly patchFile: string,
    readonly reason: string,
    fix = 'regenerate the patch with `flagpatch patch`, or ask its vendor to',
  ) {
    super(`${patchFile}: ${reason}`, fix);
    this.name = 'PatchRefusedError';
  }
}

/**
 * The caller's AbortSignal was aborted (the CLI aborts on Ctrl-C, SIGTERM, SIGHUP): nothing
 * further was started, running git processes were waited for, temporary files removed.
 */
export class AbortedError extends FlagpatchError {
  constructor(readonly reason: string) {
    super(`stopped before the end (${reason}); nothing half-done was left`, undefined, 1);
    this.name = 'AbortedError';
  }
}

/** A git command failed where flagpatch did not expect it to. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    const first = stderr.trim().split('\n').slice(0, 3).join('\n  ');
    super(`git ${subcommand(args)} failed (exit ${code}): ${first}`);
    this.name = 'GitError';
  }
}

/** The git subcommand of an argument list, skipping leading `-c key=value` pairs. */
function subcommand(args: readonly string[]): string {
  let i = 0;
  while (args[i] === '-c') i += 2;
  return args[i] ?? '';
}
