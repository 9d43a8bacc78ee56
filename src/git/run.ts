// Starting processes: every git process flagpatch runs (and lint-staged) starts here, with an explicit environment
// (process.env is never mutated), the pinned settings, tracking for aborts, and one typed
// error, GitError. Plain node:child_process on purpose: execa and simple-git cost 120-150 ms
// of import time, which the pre-commit hook would pay on every commit (README, "Dependencies").
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { AbortedError, GitError } from '../errors.js';
import { reasonOf, throwIfAborted, trackChild } from '../lifecycle.js';

export type Env = Record<string, string | undefined>;

export interface RunOptions {
  input?: string | Buffer;
  env?: Env;
  /** Exit codes that are answers rather than failures (e.g. 1 for `diff --quiet`). */
  ok?: readonly number[];
  /**
   * For commands that write a shared file (the user's index, a ref): when another git process
   * holds its .lock, wait and retry (up to ~5 s) instead of failing at once.
   */
  waitForLock?: boolean;
  /** Once aborted, no git process starts (AbortedError); one already running is let finish. */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

// Variables git sets in hooks or users set to point at one repository; never inherited by
// commands about another one.
export const REPO_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_PREFIX',
  'GIT_NAMESPACE',
  'GIT_CEILING_DIRECTORIES',
];

// Settings that would change what git prints or applies, pinned for every call so a user's
// config (diff.noprefix, color.ui=always, core.quotepath, apply.whitespace=fix...) cannot
// change the patch or its verification.
export const PINNED_CONFIG = [
  '-c',
  'core.quotepath=off',
  '-c',
  'color.ui=never',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'diff.relative=false',
  '-c',
  'diff.suppressBlankEmpty=false',
  '-c',
  'apply.whitespace=nowarn',
  '-c',
  'core.safecrlf=false',
];

export function baseEnv(env: Env): Env {
  // LC_ALL=C keeps git's messages in English so they can be matched; no prompts, no
  // optional locks (read-only commands must not rewrite the user's index).
  return { ...env, LC_ALL: 'C', LANGUAGE: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GIT_PAGER: 'cat' };
}

// FLAGPATCH_TRACE=1: one line per git process with its wall time, for profiling, plus the
// time from node's start to the first git process (start-up and imports) and the total.
let traced = false;
export function traceStart(env: Env | undefined): void {
  if (traced || env?.FLAGPATCH_TRACE !== '1') return;
  traced = true;
  process.stderr.write(`flagpatch trace: ${performance.now().toFixed(1)} ms node start-up and imports, until the first git process\n`);
  process.once('exit', () => process.stderr.write(`flagpatch trace: ${performance.now().toFixed(1)} ms in all, from node's start\n`));
}

export function runGit(cwd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  traceStart(opts.env);
  const trace = opts.env?.FLAGPATCH_TRACE === '1' ? process.hrtime.bigint() : null;
  return new Promise((resolve, reject) => {
    try {
      throwIfAborted(opts.signal);
    } catch (e) {
      return reject(e);
    }
    // A git process that writes a shared file (the user's index, a ref) runs in a process group
    // of its own: a Ctrl-C at the terminal reaches the whole foreground group, and git killed
    // between creating its .lock and registering its removal leaves a stale lock behind. Out of
    // the group it finishes (milliseconds) and flagpatch, which waits for it, ends after it.
    const child = spawn('git', args, { cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], detached: opts.waitForLock === true });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(args, null, `cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      // FLAGPATCH_TRACE=1: one line per git process with its wall time, for profiling.
      if (trace !== null)
        process.stderr.write(
          `flagpatch trace: ${(Number(process.hrtime.bigint() - trace) / 1e6).toFixed(1)} ms git ${args
            .filter((a, i) => a !== '-c' && args[i - 1] !== '-c')
            .slice(0, 4)
            .join(' ')}\n`,
        );
      const stderr = Buffer.concat(err).toString('utf8');
      const result = { stdout: Buffer.concat(out), stderr, code: code ?? 128 };
      if (code === 0 || (code !== null && opts.ok?.includes(code))) resolve(result);
      // (Ctrl-C from a terminal reaches git too: then its failure is the abort.)
      else if (opts.signal?.aborted) reject(new AbortedError(reasonOf(opts.signal)));
      else reject(new GitError(args, code, stderr));
    });
    // EPIPE when git exits before reading all input is reported through 'close'.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * A tool the hooks run besides git (lint-staged), with the terminal as its output: started
 * and tracked here like every git process, so an abort waits for it too.
 */
export function spawnTool(command: string, cwd: string, env: Env): ReturnType<typeof spawn> {
  const child = spawn(command, [], { cwd, env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
  trackChild(child);
  return child;
}

/** A long-lived git process (the batch reader's): spawned here like every other. */
export function spawnGit(cwd: string, args: readonly string[], env: Env): ChildProcessWithoutNullStreams {
  return spawn('git', args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
}
