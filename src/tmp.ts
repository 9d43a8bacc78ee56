// Temporary files and the process's life: one folder per process under the system temp dir,
// named `flagpatch-<pid>-*`, removed on success, failure, Ctrl-C and SIGTERM (after the git
// processes still writing into it have ended); after a SIGKILL the next run removes folders
// whose process is gone.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'flagpatch-';
const cleanups = new Set<() => void>();
const children = new Set<ChildProcess>();
let handlersInstalled = false;
let interrupted: NodeJS.Signals | null = null;

/** The signal that is stopping this process, if any: no new git process may start then. */
export function interruption(): NodeJS.Signals | null {
  return interrupted;
}

/**
 * Registers a running child process, so an interruption waits for it to end before removing
 * the folders it may be writing into (otherwise a git process started just before Ctrl-C
 * could recreate a temporary folder after its removal).
 */
export function trackChild(child: ChildProcess): void {
  installHandlers();
  children.add(child);
  child.once('close', () => children.delete(child));
}

/** Runs `fn` with a fresh private folder that is removed afterwards, whatever happens. */
export async function withWorkspace<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  sweepStale();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  const remove = () => removeTree(dir);
  const release = onInterrupt(remove);
  try {
    return await fn(dir);
  } finally {
    release();
    remove();
  }
}

/**
 * Registers a synchronous clean-up for Ctrl-C / SIGTERM / exit while a step is under way;
 * returns the function that unregisters it.
 */
export function onInterrupt(fn: () => void): () => void {
  installHandlers();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // Best effort: a clean-up that fails must not stop the others.
    }
    cleanups.delete(fn);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = signal;
      // Our git processes got Ctrl-C too when it came from the terminal (one process group);
      // otherwise they are short and finish. Either way they are left to end on their own
      // (up to 10 s): a signal from us while git removes its lock files could leave a stale one.
      const running = Promise.all([...children].map((c) => new Promise((resolve) => c.once('close', resolve))));
      void Promise.race([running, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
        .then(() => {
          runCleanups();
          // Die of the same signal so the caller (git, a shell) sees what happened.
          process.removeAllListeners(signal);
          process.kill(process.pid, signal);
        });
    });
  }
}

/**
 * Removes a folder of ours, synchronously (it also runs in signal handlers). On Ctrl-C the
 * git processes writing into it are dying at the same moment and may add a file while it is
 * being removed, so it retries until the folder is gone (for up to 2 s).
 */
export function removeTree(dir: string): void {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // ENOTEMPTY while something still writes into it: try again
    }
    if (!fs.existsSync(dir)) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** Removes temp folders left by flagpatch processes that no longer run (e.g. after SIGKILL). */
export function sweepStale(): void {
  removeLeftovers(os.tmpdir(), PREFIX);
}

/**
 * Removes what killed flagpatch runs left in `dir`: names that start with `stem` followed by
 * the pid of a process that is gone (`<stem><pid>-…` folders, `<stem><pid>.tmp` files).
 */
export function removeLeftovers(dir: string, stem: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(stem) ? /^(\d+)[-.]/.exec(name.slice(stem.length)) : null;
    const pid = m ? Number(m[1]) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) removeTree(path.join(dir, name));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes a file atomically: readers see the old content or the new, never a mix. */
export function writeFileAtomic(file: string, content: Buffer | string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const stem = `.${path.basename(file)}.flagpatch-`;
  removeLeftovers(dir, stem); // a SIGKILLed earlier run may have left its temporary sibling
  const tmp = path.join(dir, `${stem}${process.pid}.tmp`);
  const release = onInterrupt(() => fs.rmSync(tmp, { force: true }));
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } finally {
    release();
    fs.rmSync(tmp, { force: true });
  }
}
