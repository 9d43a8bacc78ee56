// Carrying a patch from its base to another upstream revision: it `applies` there as it is,
// `merges` three-way, or `conflicts` (files and the line ranges of their conflicting hunks).
// Everything happens on temporary indexes with objects in the workspace's object directory
// (the same one applyOnBase uses), so judging adds nothing to the repository.
//
// The three-way merge is `git merge-tree --write-tree --stdin` (one process for many merges)
// between two commits made for the purpose: the vendor tree and the target tree, both children
// of one root commit holding the base tree. So the merge base is exactly the patch's base,
// whatever the history between the base and the target (older targets, side branches).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.js';
import type { Entry, Git } from '../git.js';
import { applyMessage, applyOnBase } from './apply.js';
import type { PatchMessage } from './parse.js';

export type CarryState = 'applies' | 'merges' | 'conflicts' | 'base-missing' | 'invalid';

/** Lines `start`..`end` (1-based, inclusive) of the target's version of a file. */
export interface LineRange {
  start: number;
  end: number;
}

export interface ConflictedFile {
  path: string;
  /** git's name for the conflict: `content`, `modify/delete`, `rename/delete`, `binary`... */
  kind: string;
  /** The conflicting hunks, as lines of the target's version (empty when it has no text there). */
  lines: LineRange[];
}

/** One entry of merge-tree's conflicted-file list: a path at stage 1 (base), 2 (ours) or 3 (theirs). */
export interface StageEntry extends Entry {
  stage: 1 | 2 | 3;
}

export interface MergeOutcome {
  clean: boolean;
  /** The merged tree; conflicted text files hold conflict markers. */
  tree: string;
  stages: StageEntry[];
  conflicts: ConflictedFile[];
  /** Marker labels git wrote: `<<<<<<< ours`, `>>>>>>> theirs`. */
  ours: string;
  theirs: string;
}

// Merge settings pinned so user config cannot change what conflicts or how markers look.
const MERGE_CONFIG = ['-c', 'merge.conflictStyle=merge', '-c', 'merge.renormalize=false', '-c', 'merge.renames=true'];
// Commits made only to steer merge-tree: fixed identity and date, so they never depend on the clock.
const IDENT = 'flagpatch <flagpatch@localhost> 0 +0000';

let counter = 0;

/** `git` writing new objects to `<workspace>/objects` (reading the repository's too). */
export function scratchGit(git: Git, workspace: string): Git {
  const objects = path.join(workspace, 'objects');
  fs.mkdirSync(objects, { recursive: true });
  return git.with({ GIT_OBJECT_DIRECTORY: objects, GIT_ALTERNATE_OBJECT_DIRECTORIES: git.objectsDir });
}

const commitText = (c: { tree: string; parent: string | null }) => `tree ${c.tree}\n${c.parent ? `parent ${c.parent}\n` : ''}author ${IDENT}\ncommitter ${IDENT}\n\nflagpatch\n`;

/** The id git gives a commit object (SHA-1 or SHA-256, by the length of the tree id), so its children can be written in the same process. */
function commitId(c: { tree: string; parent: string | null }): string {
  const text = Buffer.from(commitText(c));
  return crypto
    .createHash(c.tree.length === 64 ? 'sha256' : 'sha1')
    .update(`commit ${text.length}\0`)
    .update(text)
    .digest('hex');
}

/** Writes commit objects (one process) and returns their ids; `parent` null = a root commit. */
async function makeCommits(git: Git, workspace: string, commits: readonly { tree: string; parent: string | null }[]): Promise<string[]> {
  if (commits.length === 0) return [];
  const files = commits.map((c) => {
    const file = path.join(workspace, `commit-${++counter}`);
    fs.writeFileSync(file, commitText(c));
    return file;
  });
  const out = await git.text(['hash-object', '-t', 'commit', '-w', '--stdin-paths'], { input: files.map((f) => `${f}\n`).join('') });
  return out.split('\n');
}

/**
 * Three-way merges of `ours` with each of `theirs` (trees), all on `baseTree`, in one
 * merge-tree process. `git` decides where the merged objects go (a scratch git: the workspace).
 */
export async function threeWay(
  git: Git,
  workspace: string,
  baseTree: string,
  ours: string,
  theirs: readonly string[],
  /** Which conflicted paths to describe (line ranges cost a process each); default all. */
  describe: (paths: readonly StageEntry[]) => Promise<Set<string>> | null = () => null,
): Promise<MergeOutcome[]> {
  if (theirs.length === 0) return [];
  const root = commitId({ tree: baseTree, parent: null });
  const [, oursCommit, ...theirCommits] = await makeCommits(git, workspace, [{ tree: baseTree, parent: null }, ...[ours, ...theirs].map((tree) => ({ tree, parent: root }))]);
  const input = theirCommits.map((t) => `${oursCommit} ${t}\n`).join('');
  const out = (await git.run([...MERGE_CONFIG, 'merge-tree', '--write-tree', '-z', '--stdin'], { input })).stdout;
  const parsed = parseMergeTree(out, theirCommits.length);
  const outcomes: MergeOutcome[] = [];
  for (const [i, p] of parsed.entries()) {
    const only = p.clean ? null : await describe(p.stages);
    const conflicts = p.clean ? [] : await conflictedFiles(git, p, oursCommit, theirCommits[i], only);
    outcomes.push({ ...p, conflicts, ours: oursCommit, theirs: theirCommits[i] });
  }
  return outcomes;
}

interface Parsed {
  clean: boolean;
  tree: string;
  stages: StageEntry[];
  messages: { paths: string[]; type: string }[];
}

/**
 * merge-tree `-z --stdin` output, per merge: `<1 clean|0 conflicted>\0<tree>\0`, then when
 * conflicted `<mode> <id> <stage>\t<path>\0`..., `\0`, messages (`<n>\0<path>\0...<type>\0<text>\0`)...,
 * and a `\0` ending the merge.
 */
export function parseMergeTree(out: Buffer, count: number): Parsed[] {
  const fields = out.toString('utf8').split('\0');
  let i = 0;
  const result: Parsed[] = [];
  for (let n = 0; n < count; n++) {
    const clean = fields[i++] === '1';
    const tree = fields[i++];
    const stages: StageEntry[] = [];
    const messages: { paths: string[]; type: string }[] = [];
    if (!clean) {
      for (; fields[i] !== ''; i++) {
        const m = /^(\d+) ([0-9a-f]+) ([123])\t([\s\S]*)$/.exec(fields[i]);
        if (m) stages.push({ mode: m[1], sha: m[2], stage: Number(m[3]) as 1 | 2 | 3, path: m[4] });
      }
      i++; // the empty field ending the list
      while (i < fields.length && fields[i] !== '') {
        const k = Number(fields[i++]);
        const paths = fields.slice(i, i + k);
        i += k;
        const type = fields[i++];
        i++; // the message text
        messages.push({ paths, type });
      }
    }
    i++; // the empty field ending this merge
    result.push({ clean, tree, stages, messages });
  }
  return result;
}

/** The conflicted files of a merge, with the lines of the target's version they cover. */
async function conflictedFiles(git: Git, p: Parsed, oursLabel: string, theirsLabel: string, only: Set<string> | null): Promise<ConflictedFile[]> {
  const byPath = new Map<string, StageEntry[]>();
  for (const e of p.stages) if (!only || only.has(e.path)) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  const files: ConflictedFile[] = [];
  const paths = [...byPath.keys()].sort();
  const merged = await git.objects(paths.map((f) => `${p.tree}:${f}`));
  for (const [n, f] of paths.entries()) {
    const type = p.messages.find((m) => m.type.startsWith('CONFLICT') && m.paths.includes(f))?.type ?? 'CONFLICT (content)';
    let kind = /^CONFLICT \(([^)]*)\)/.exec(type)?.[1] ?? 'content';
    if (kind === 'contents') kind = 'content';
    const entries = byPath.get(f)!;
    const theirs = entries.find((e) => e.stage === 3);
    const blob = merged[n];
    let lines: LineRange[] = [];
    if (blob && theirs && blob.type === 'blob') {
      const regions = markerRegions(blob.data, oursLabel, theirsLabel);
      if (regions.length) lines = await toTargetLines(git, theirs.sha, blob.sha, regions);
      else if (entries.some((e) => e.stage === 2)) kind = kind === 'content' ? 'binary' : kind;
    }
    files.push({ path: f, kind, lines });
  }
  return files;
}

/**
 * Conflict regions of a merged file, as lines of the merged file: the target's side of each
 * (between `=======` and `>>>>>>> theirs`). The labels are the ids of the commits merged, so
 * a line of the file that merely looks like a marker is not taken for one.
 */
function markerRegions(data: Buffer, ours: string, theirs: string): { from: number; to: number }[] {
  const lines = data.toString('latin1').split('\n');
  const open = `<<<<<<< ${ours}`;
  const close = `>>>>>>> ${theirs}`;
  const regions: { from: number; to: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].replace(/\r$/, '') !== open) continue;
    let sep = -1;
    let j = i + 1;
    for (; j < lines.length && lines[j].replace(/\r$/, '') !== close; j++) if (sep === -1 && /^=======\r?$/.test(lines[j])) sep = j;
    if (j >= lines.length || sep === -1) break;
    regions.push({ from: sep + 2, to: j }); // 1-based: the lines after ======= up to the one before >>>>>>>
    i = j;
  }
  return regions;
}

/**
 * Maps regions of the merged file to lines of the target's file, through a zero-context diff
 * between the two blobs: lines outside its hunks are the same lines, shifted.
 */
async function toTargetLines(git: Git, target: string, merged: string, regions: { from: number; to: number }[]): Promise<LineRange[]> {
  const out = await git.text(['diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--diff-algorithm=myers', target, merged]);
  const hunks: { a: number; b: number; c: number; d: number }[] = [];
  for (const line of out.split('\n')) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (m) hunks.push({ a: Number(m[1]), b: m[2] === undefined ? 1 : Number(m[2]), c: Number(m[3]), d: m[4] === undefined ? 1 : Number(m[4]) });
  }
  const map = (l: number): number => {
    let delta = 0;
    for (const h of hunks) {
      const newEnd = h.d === 0 ? h.c : h.c + h.d - 1;
      if (h.d > 0 && l >= h.c && l <= newEnd) return Math.max(1, h.a + Math.min(l - h.c, Math.max(h.b - 1, 0)));
      if (newEnd < l) delta += h.d - h.b;
      else break;
    }
    return Math.max(1, l - delta);
  };
  return regions.map((r) => {
    if (r.to < r.from) {
      // The target has no lines here (it deleted what the vendor changed): name the line after.
      const at = map(r.from);
      return { start: at, end: at };
    }
    return { start: map(r.from), end: map(r.to) };
  });
}

/** The tree of `commit` with the messages applied (the whole tree, on a temporary index). */
export async function treeWithPatch(git: Git, workspace: string, commit: string, messages: readonly PatchMessage[], label: string): Promise<string> {
  const idx = git.with({ GIT_INDEX_FILE: path.join(workspace, `carry-index-${++counter}`) });
  await idx.run(['read-tree', commit]);
  for (const [n, m] of messages.entries()) await applyMessage(idx, m, label, commit, messages.length > 1 ? n + 1 : 0);
  return idx.text(['write-tree']);
}

/** Whether the messages apply to `commit` as they are (a plain `git apply`). */
export async function appliesTo(git: Git, workspace: string, commit: string, messages: readonly PatchMessage[], label: string): Promise<boolean> {
  try {
    await applyOnBase(git, workspace, commit, messages, label, { checkOnly: true });
    return true;
  } catch (e) {
    if (e instanceof RefusedError) return false;
    throw e;
  }
}

export interface Target {
  commit: string;
  tree: string;
}

export interface Carried {
  state: 'applies' | 'merges' | 'conflicts';
  /** The vendor tree at the target (with conflict markers when it conflicts); in the workspace's objects. */
  tree: string;
  conflicts: ConflictedFile[];
  merge?: MergeOutcome;
}

/**
 * One patch on its base, ready to be carried to targets. `git` must be a scratch git
 * (scratchGit) over `workspace`.
 */
export class Carrier {
  private vendor: Promise<string> | null = null;

  constructor(
    private readonly git: Git,
    private readonly workspace: string,
    readonly base: Target,
    readonly messages: readonly PatchMessage[],
    readonly label: string,
  ) {}

  /** The vendor tree: the base with the patch applied. A patch that does not apply on its own base throws. */
  vendorTree(): Promise<string> {
    this.vendor ??= treeWithPatch(this.git, this.workspace, this.base.commit, this.messages, this.label);
    return this.vendor;
  }

  /**
   * Carries the patch to each target: plain apply first (cheap: only the touched paths), a
   * three-way merge (all in one process) for those where it does not apply. With `trees`,
   * the vendor tree at each target is computed for applying targets too.
   */
  async carry(targets: readonly Target[], opts: { trees?: boolean } = {}): Promise<Carried[]> {
    const applies = await Promise.all(targets.map((t) => appliesTo(this.git, this.workspace, t.commit, this.messages, this.label)));
    const toMerge = targets.filter((_, i) => !applies[i]);
    const merges = toMerge.length
      ? await threeWay(
          this.git,
          this.workspace,
          this.base.tree,
          await this.vendorTree(),
          toMerge.map((t) => t.tree),
        )
      : [];
    const out: Carried[] = [];
    let m = 0;
    for (const [i, t] of targets.entries()) {
      if (applies[i]) {
        const tree = opts.trees ? await treeWithPatch(this.git, this.workspace, t.commit, this.messages, this.label) : '';
        out.push({ state: 'applies', tree, conflicts: [] });
      } else {
        const merge = merges[m++];
        out.push({ state: merge.clean ? 'merges' : 'conflicts', tree: merge.tree, conflicts: merge.conflicts, merge });
      }
    }
    return out;
  }

  /** Whether a three-way merge onto `tree` is clean (for bisection: one merge, no apply). */
  async mergesCleanly(tree: string): Promise<boolean> {
    const [o] = await threeWay(this.git, this.workspace, this.base.tree, await this.vendorTree(), [tree]);
    return o.clean;
  }
}

/**
 * `tree` with the conflict markers of `outcome` relabelled (`<<<<<<< HEAD`, `>>>>>>> upstream`)
 * for people to read; returns the new tree and the new blob of each relabelled path.
 */
export async function relabel(git: Git, outcome: MergeOutcome, tree: string, ours: string, theirs: string): Promise<Map<string, string>> {
  const paths = outcome.conflicts.filter((c) => c.lines.length).map((c) => c.path);
  const blobs = await git.objects(paths.map((p) => `${tree}:${p}`));
  const out = new Map<string, string>();
  for (const [i, p] of paths.entries()) {
    const b = blobs[i];
    if (!b) continue;
    // latin1 keeps every byte as it is; the labels are ASCII.
    const text = b.data
      .toString('latin1')
      .split('\n')
      .map((l) => {
        const bare = l.replace(/\r$/, '');
        const cr = l.endsWith('\r') ? '\r' : '';
        if (bare === `<<<<<<< ${outcome.ours}`) return `<<<<<<< ${ours}${cr}`;
        if (bare === `>>>>>>> ${outcome.theirs}`) return `>>>>>>> ${theirs}${cr}`;
        return l;
      })
      .join('\n');
    out.set(p, await git.hashObject(Buffer.from(text, 'latin1')));
  }
  return out;
}

/** Copies the workspace's new objects into another object directory (loose objects, as they are). */
export function copyObjects(workspace: string, objectsDir: string): void {
  const from = path.join(workspace, 'objects');
  for (const dir of fs.readdirSync(from)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    fs.mkdirSync(path.join(objectsDir, dir), { recursive: true });
    for (const f of fs.readdirSync(path.join(from, dir))) {
      const to = path.join(objectsDir, dir, f);
      if (!fs.existsSync(to)) fs.copyFileSync(path.join(from, dir, f), to);
    }
  }
}
