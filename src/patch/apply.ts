// Applies a parsed patch to its base without a work tree: on a temporary index that holds
// only the base's entries for the paths the patch (and the caller) touch, so the cost follows
// the size of the change, not of the repository. New objects go to a temporary object
// directory, so checking a patch adds nothing to the user's repository.
import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.js';
import type { Entry, Git, RawChange } from '../git.js';
import type { PatchMessage } from './parse.js';
import { replayMessage } from './replay.js';

export interface Applied {
  /** The base's entries for the touched paths, before the patch. */
  before: Entry[];
  /** The same paths after every message was applied, by path. */
  after: Map<string, Entry>;
}

let counter = 0;

export interface ApplyOptions {
  /** Paths whose base entries are needed besides those the patch names. */
  paths?: readonly string[];
  /** Base entries already known (from a raw diff); only the other paths are looked up. */
  known?: readonly Entry[];
  /** Only check that it applies: `after` is left empty, and nothing is written. */
  checkOnly?: boolean;
}

export async function applyOnBase(git: Git, workspace: string, base: string, messages: readonly PatchMessage[], label: string, opts: ApplyOptions = {}): Promise<Applied> {
  const known = new Map((opts.known ?? []).map((e) => [e.path, e]));
  const wanted = new Set(opts.paths);
  for (const m of messages) for (const f of m.files) for (const p of [f.oldPath, f.newPath]) if (p !== null) wanted.add(p);
  for (const p of known.keys()) wanted.delete(p);
  const looked = wanted.size ? await git.entriesAt(base, [...wanted]) : [];
  const byPath = new Map([...known, ...looked.map((e) => [e.path, e] as const)]);
  const before = [...byPath.values()];
  // A single message is replayed in process when it can be (no temporary index, no git
  // process: the base's blobs come through the batch reader); git applies the rest.
  if (messages.length === 1) {
    const changes = await replayMessage(messages[0], byPath, (sha) => cachedBlob(git, sha), git.objectFormat, !opts.checkOnly);
    if (changes) {
      if (opts.checkOnly) return { before, after: new Map() };
      const after = new Map(byPath);
      for (const [p, e] of changes) {
        if (e) after.set(p, e);
        else after.delete(p);
      }
      return { before, after };
    }
  }
  const objects = path.join(workspace, 'objects');
  fs.mkdirSync(objects, { recursive: true });
  const tmp = git.with({
    GIT_INDEX_FILE: path.join(workspace, `index-${++counter}`),
    GIT_OBJECT_DIRECTORY: objects,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: git.objectsDir,
  });
  await tmp.updateIndex(before);
  // One git process for every message: git apply takes a path changed by several diffs of one
  // input in order, each on the result of the one before, so a legacy mailbox's messages apply
  // (or are checked) together, whatever their number.
  const check = opts.checkOnly ?? false;
  const all = messages.length === 1 ? messages[0] : { ...messages[0], diff: Buffer.concat(messages.map((m) => m.diff)), files: messages.flatMap((m) => m.files) };
  await applyMessage(tmp, all, label, base, 0, check);
  if (check) return { before, after: new Map() };
  const after = new Map((await tmp.lsFiles()).map((e) => [e.path, e]));
  return { before, after };
}

// Base blobs read in this process, per repository: `check` replays many devices' patches on
// the same few bases. Small blobs only, and a bounded total.
const blobCache = new WeakMap<Git, { bytes: number; blobs: Map<string, Promise<Buffer>> }>();

function cachedBlob(git: Git, sha: string): Promise<Buffer> {
  let cache = blobCache.get(git);
  if (!cache) blobCache.set(git, (cache = { bytes: 0, blobs: new Map() }));
  const hit = cache.blobs.get(sha);
  if (hit) return hit;
  const read = git.blob(sha);
  if (cache.bytes < 64 << 20) {
    cache.blobs.set(sha, read);
    read.then(
      (b) => (cache.bytes += b.length),
      () => cache.blobs.delete(sha),
    );
  }
  return read;
}

/** What the tree should hold at the touched paths: the base's entries with `changes` made. */
export function expectedAfter(before: readonly Entry[], changes: readonly RawChange[]): Map<string, Entry> {
  const expected = new Map(before.map((e) => [e.path, e]));
  for (const c of changes) {
    if (c.from !== undefined && c.status[0] === 'R') expected.delete(c.from);
    if (c.dstMode === '000000') expected.delete(c.path);
    else expected.set(c.path, { mode: c.dstMode, sha: c.dstSha, path: c.path });
  }
  return expected;
}

/** Paths whose entries differ between two maps, sorted. */
export function differences(actual: Map<string, Entry>, expected: Map<string, Entry>): string[] {
  const out = new Set<string>();
  for (const [p, e] of expected) {
    const a = actual.get(p);
    if (!a || a.mode !== e.mode || a.sha !== e.sha) out.add(p);
  }
  for (const p of actual.keys()) if (!expected.has(p)) out.add(p);
  return [...out].sort();
}

/**
 * Applies one message to the index named by `git`'s GIT_INDEX_FILE; a failure names the file
 * and hunk. `part` numbers the message in a legacy mailbox (0 when there is one).
 */
export async function applyMessage(git: Git, message: PatchMessage, label: string, base: string, part: number, checkOnly = false): Promise<void> {
  if (message.files.length === 0) return;
  const r = await git.run(['apply', '--cached', ...(checkOnly ? ['--check'] : []), '--whitespace=nowarn', '-p1'], { input: message.diff, ok: [1, 128] });
  if (r.code !== 0) throw applyFailure(r.stderr, label, base, part);
}

function applyFailure(stderr: string, label: string, base: string, message: number): RefusedError {
  const failed = /patch failed: (.+):(\d+)/.exec(stderr);
  const errors = stderr
    .split('\n')
    .filter((l) => l.startsWith('error: '))
    .map((l) => l.slice(7));
  const part = message ? `message ${message} ` : '';
  const detail = failed ? `${failed[1]}: the hunk at line ${failed[2]} does not match` : (errors.find((e) => !e.startsWith('patch failed')) ?? stderr.trim().split('\n')[0]);
  return new RefusedError(
    `${part}does not apply on its base ${base.slice(0, 12)}: ${detail}`,
    'regenerate it from the vendor tree with `flagpatch patch` (or commit in the fork, whose hook refreshes it)',
    label,
  );
}
