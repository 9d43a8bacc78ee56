// The processes flagpatch starts, and stopping early. The library never listens to signals
// and never ends the process: a caller that wants to stop it passes an AbortSignal (the CLI
// aborts one on Ctrl-C, SIGTERM and SIGHUP). Once it is aborted no further git process
// starts; the call waits for the running ones (they may be writing into our temporary
// folders), removes what it made, and rejects with AbortedError.
import type { ChildProcess } from 'node:child_process';
import { AbortedError } from './errors.js';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

/** Registers a running child process until it closes (see `settled`). */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('close', () => children.delete(child));
}

/**
 * Resolves when every child process started so far has ended, or after `timeoutMs`: a git
 * process started just before an abort or a failure could otherwise recreate a temporary
 * folder after its removal. Git is never signalled by us: a signal while git removes its
 * lock files could leave a stale one.
 */
export function settled(timeoutMs = 10_000): Promise<void> {
  if (children.size === 0) return Promise.resolve();
  const running = Promise.all([...children].map((c) => new Promise((resolve) => c.once('close', resolve))));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  return Promise.race([running, timeout]).then(() => clearTimeout(timer));
}

/** Rejects with AbortedError when `signal` is aborted; called before each git process starts. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(reasonOf(signal));
}

export function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return typeof r === 'string' ? r : r instanceof Error ? r.message : 'aborted';
}

/**
 * Registers a synchronous clean-up for the case the process has to end while a step is under
 * way (the CLI runs them on exit, and when a call does not return within 10 s of a signal);
 * returns the function that unregisters it. Calls that end normally clean up in `finally`.
 */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs the registered clean-ups (each once, best effort). For the CLI only. */
export function runCleanups(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // Best effort: a clean-up that fails must not stop the others.
    }
    cleanups.delete(fn);
  }
}
