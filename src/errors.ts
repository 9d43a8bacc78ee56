// Errors are values: where it went wrong, what went wrong, how to fix it, and the exit code
// the CLI should use. Library code throws these; only the CLI renders them (src/render.ts)
// and sets the exit code. No code reads another error's text: callers use the fields.

/** Exit codes of the SPEC: 1 = a check failed or the operation was refused, 2 = bad usage or config. */
export type ExitCode = 1 | 2;

/** One problem, as `check`, the pre-push hook and refusals report it. */
export interface Problem {
  /** A file (`hetero.txt:3`, a patch path, the config file), or undefined for the whole run. */
  where?: string;
  problem: string;
  fix?: string;
}

export class FlagpatchError extends Error {
  readonly where: string | undefined;
  readonly problem: string;
  /** Further problems of the same kind (e.g. every bad key of a config), one per line. */
  readonly details: readonly string[];

  constructor(
    problem: string,
    readonly fix: string | undefined,
    readonly exitCode: ExitCode = 1,
    opts: { where?: string; details?: readonly string[] } = {},
  ) {
    super(opts.where ? `${opts.where}: ${problem}` : problem);
    this.name = 'FlagpatchError';
    this.where = opts.where;
    this.problem = problem;
    this.details = opts.details ?? [];
  }

  /** The error as a problem line of a report. */
  toProblem(): Problem {
    const problem = this.details.length ? `${this.problem}: ${this.details.join('; ')}` : this.problem;
    return { where: this.where, problem, fix: this.fix };
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends FlagpatchError {
  constructor(problem: string, fix?: string, where?: string) {
    super(problem, fix, 2, { where });
    this.name = 'UsageError';
  }
}

/** A config file that cannot be used (exit 2); `problems` lists every bad key at once. */
export class ConfigError extends FlagpatchError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    fix = `fix ${file} (its schema ships as flagpatch/schema.json)`,
  ) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems`, fix, 2, { where: file, details: problems.length === 1 ? [] : problems });
    this.name = 'ConfigError';
  }
}

/** The operation was refused or a check failed (exit 1). */
export class RefusedError extends FlagpatchError {
  constructor(problem: string, fix?: string, where?: string) {
    super(problem, fix, 1, { where });
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
    super(reason, fix, patchFile);
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
