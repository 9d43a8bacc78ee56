// Temporary folders and atomic writes: one folder per call under the system temp dir, named
// `flagpatch-<pid>-*`, removed on success, failure and abort (after the git processes still
// writing into it have ended); after a SIGKILL the next run removes folders whose process
// is gone. (What a signal does is src/lifecycle.ts and the CLI's business.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onInterrupt, settled } from './lifecycle.js';

const PREFIX = 'flagpatch-';

/**
 * Runs `fn` with a fresh private folder that is removed afterwards, whatever happens. When
 * `fn` fails (or was aborted), git processes it started may still be writing into the
 * folder: they are waited for first.
 */
export async function withWorkspace<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  sweepStale();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  const remove = () => removeTree(dir);
  const release = onInterrupt(remove);
  try {
    return await fn(dir);
  } catch (e) {
    await settled();
    throw e;
  } finally {
    release();
    remove();
  }
}

/**
 * Removes a folder of ours, synchronously (it also runs on exit). On Ctrl-C the
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
