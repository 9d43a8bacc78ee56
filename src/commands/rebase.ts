// `flagpatch rebase`: carries a patch to a new upstream base.
//
// Without a fork (--device-type DEV --commit-id ID --onto REV): the committed patch is carried
// from its base to REV by a three-way merge on temporary indexes; a clean result becomes the
// submission on flagpatch/<DEV> (as `patch --onto REV` makes it), conflicts are listed with
// their lines, and --dir DIR gives DIR/<DEV>/<name>, a repository at REV holding the merge to
// resolve; `rebase --continue --dir DIR` then makes the submission from its resolved HEAD.
//
// In a fork (--onto REV alone): see ./rebase-fork.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { devicesOf, openContext, revisionOf, type CommonOptions } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import type { Git } from '../git.js';
import { patchId, patchPath } from '../layout.js';
import { Carrier, copyObjects, relabel, scratchGit, type ConflictedFile, type MergeOutcome, type StageEntry } from '../patch/carry.js';
import type { MessageInfo } from '../patch/format.js';
import { makePatch } from '../patch/make.js';
import { parsePatch, type PatchMessage } from '../patch/parse.js';
import { baseOf, listPatches } from '../store.js';
import { onInterrupt, settled } from '../lifecycle.js';
import { removeLeftovers, removeTree, withWorkspace } from '../tmp.js';
import { editTree } from '../tree.js';
import { commitSubmission, refuseOnSubmissionBranch, submissionBranch } from './patch.js';
import type { RebasedFork } from './rebase-fork.js';
import { checkReplaceable, isInside, MARKER, realpathOfExisting, swapIntoPlace, writeMarker, writeNoFilterAttributes } from './unpatch.js';

export interface RebaseOptions extends CommonOptions {
  onto?: string;
  /** Without a fork: the device and patch ID to carry. */
  deviceType?: string;
  commitId?: string;
  /** Without a fork: where to put a tree to resolve conflicts in (and, with `continue`, where to take it from). */
  dir?: string;
  /** Replace DIR/<DEV>/<name> even when flagpatch did not make it. */
  force?: boolean;
  /** Fork: remove the old base's patch. */
  dropOld?: boolean;
  /** Accept a REV older than the current base. */
  allowOlder?: boolean;
  continue?: boolean;
  abort?: boolean;
}

export interface RebasedPatch {
  mode: 'patch';
  device: string;
  /** The patch carried: its ID, path and base. */
  id: string;
  patchPath: string;
  base: string;
  onto: string;
  state: 'applies' | 'merges' | 'conflicts' | 'resolved';
  conflicts: ConflictedFile[];
  /** The submission (when it carried). */
  newId?: string;
  newPatchPath?: string;
  commit?: string;
  branch?: string;
  files?: number;
  insertions?: number;
  deletions?: number;
  /** With --dir and conflicts: the tree to resolve them in. */
  tree?: string;
}

/** Marker-file fields `rebase --dir` adds, so `--continue --dir` knows what the tree is for. */
interface DirRecord {
  device: string;
  id: string;
  base: string;
  head: string;
  rebase: { from: string; fromBase: string; patchPath: string; onto: string; conflicts: string[]; labels: [string, string]; info: MessageInfo };
}

export async function rebase(opts: RebaseOptions): Promise<RebasedPatch | RebasedFork> {
  const patchMode = opts.commitId !== undefined || opts.dir !== undefined;
  if (opts.continue && opts.abort) throw new UsageError('--continue and --abort exclude each other', 'pass one of them');
  if ((opts.continue || opts.abort) && opts.onto)
    throw new UsageError(`--${opts.continue ? 'continue' : 'abort'} takes no --onto`, 'it finishes or undoes the rebase under way, whose REV is recorded');
  if (!patchMode) {
    const { rebaseFork } = await import('./rebase-fork.js');
    return rebaseFork(opts);
  }
  if (opts.abort) throw new UsageError('--abort is for a rebase stopped in a fork', 'without a fork nothing needs aborting: remove DIR/<DEV>/<name> if you no longer want it');
  if (opts.dropOld) throw new UsageError('--drop-old is for a fork', 'a submission holds only the new patch; upstream keeps the old one');
  if (opts.continue) return continueFromDir(opts);
  if (!opts.onto) throw new UsageError('rebase needs --onto REV', 'pass the upstream commit to carry the patch to, e.g. --onto origin/main');
  return carryPatch(opts);
}

async function carryPatch(opts: RebaseOptions): Promise<RebasedPatch> {
  const { git, cfg } = await openContext(opts);
  const [device] = devicesOf(opts.deviceType ? [opts.deviceType] : undefined, cfg);
  if (!opts.commitId) throw new UsageError('--commit-id is required without a fork', 'pass --commit-id <ID> (the patch folder name)');
  const target = await revisionOf(git, opts.onto, '--onto');
  const head = await revisionOf(git, 'HEAD', 'HEAD');
  const stored = await findPatch(git, cfg, head.tree, device, opts.commitId);
  const base = await git.resolve(stored.base);
  if (!base) throw new RefusedError(`${stored.path}: its base ${stored.base} is not a commit of this repository`, 'fetch the upstream history that holds it (git fetch upstream)');
  await checkNotOlder(git, base.commit, target.commit, opts.allowOlder ?? false);
  const branch = submissionBranch(device);
  await refuseOnSubmissionBranch(git, branch);
  const newId = patchId(target.commit, cfg);
  const newFile = patchPath(cfg, device, newId);
  const info = infoFrom(stored.messages, target.commit, device);
  const result: RebasedPatch = { mode: 'patch', device, id: stored.id, patchPath: stored.path, base: base.commit, onto: target.commit, state: 'conflicts', conflicts: [] };

  return withWorkspace(async (ws) => {
    const tmp = scratchGit(git, ws);
    const carrier = new Carrier(tmp, ws, base, stored.messages, stored.path);
    let carried;
    try {
      [carried] = await carrier.carry([target], { trees: true });
    } catch (e) {
      if (e instanceof RefusedError) throw new RefusedError(`${stored.path} does not apply on its own base, so it cannot be carried: ${e.message}`, e.fix);
      throw e;
    }
    result.state = carried.state;
    result.conflicts = carried.conflicts;
    if (carried.state === 'conflicts') {
      if (opts.dir) {
        const labels: [string, string] = [`${device} (patch ${stored.id})`, `upstream ${target.commit.slice(0, 12)}`];
        const relabelled = await relabel(tmp, carried.merge!, carried.tree, ...labels);
        const tree = await editTree(
          tmp,
          carried.tree,
          [...relabelled].map(([p, sha]) => ({ path: p, entry: { mode: modeAt(carried.merge!, p), sha } })),
        );
        const record: DirRecord = {
          device,
          id: newId,
          base: target.commit,
          head: target.commit,
          rebase: { from: stored.path, fromBase: base.commit, patchPath: newFile, onto: target.commit, conflicts: carried.conflicts.map((c) => c.path), labels, info },
        };
        result.tree = await materializeMerge(git, cfg, opts, ws, { tree, merge: carried.merge!, record, branch: `${device}-${newId}` });
      }
      return result;
    }
    const made = await makePatch(tmp, ws, cfg, { base: target.commit, baseTree: target.tree, tree: carried.tree, info, label: newFile });
    if (!made) throw new RefusedError(`carried to ${target.commit.slice(0, 12)}, ${stored.path} leaves no vendor change: upstream already holds it`, 'nothing to submit for this base');
    const title = titleOf(device, info.subject);
    const { commit } = await commitSubmission(git, cfg, {
      devices: [device],
      id: newId,
      file: newFile,
      onto: target.commit,
      ontoTree: target.tree,
      ontoLabel: target.commit.slice(0, 12),
      mailbox: made.mailbox,
      title,
      branch,
    });
    return { ...result, newId, newPatchPath: newFile, commit, branch, files: made.files, insertions: made.insertions, deletions: made.deletions };
  });
}

/** `rebase --continue --dir DIR`: the submission from the resolved tree DIR/<DEV>/<name>. */
async function continueFromDir(opts: RebaseOptions): Promise<RebasedPatch> {
  const { git, cfg } = await openContext(opts);
  const [device] = devicesOf(opts.deviceType ? [opts.deviceType] : undefined, cfg);
  if (!opts.dir) throw new UsageError('--continue without a fork needs --dir', 'pass the --dir given to the rebase that stopped');
  const target = path.join(path.resolve(opts.cwd ?? process.cwd(), opts.dir), device, cfg.name);
  let record: DirRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(target, '.git', MARKER), 'utf8')) as DirRecord;
  } catch {
    throw new RefusedError(`${target} is not a tree made by flagpatch rebase --dir`, `run flagpatch rebase --device-type ${device} --commit-id ID --onto REV --dir ${opts.dir} first`);
  }
  if (!record.rebase || record.device !== device)
    throw new RefusedError(`${target} was not made by flagpatch rebase for ${device}`, `run flagpatch rebase --device-type ${device} --commit-id ID --onto REV --dir ${opts.dir} first`);
  const dirGit = git.elsewhere(target);
  const status = await dirGit.text(['status', '--porcelain']);
  if (status) {
    throw new RefusedError(`${target} holds unresolved or uncommitted changes`, `resolve the conflicts there, then commit: cd ${target} && git add -A && git commit -m "Resolve conflicts"`);
  }
  const head = await revisionOf(dirGit, 'HEAD', 'HEAD');
  if (head.commit === record.rebase.onto)
    throw new RefusedError(`nothing is committed in ${target} yet`, `resolve the conflicts there, then commit: cd ${target} && git add -A && git commit -m "Resolve conflicts"`);
  const left = await markersLeft(dirGit, head.tree, record.rebase.conflicts, record.rebase.labels);
  if (left.length) throw new RefusedError(`conflict markers are left in ${target} at ${left.join(', ')}`, 'resolve them, commit, and run this again');
  const onto = await revisionOf(git, record.rebase.onto, '--onto');
  const ontoInDir = await revisionOf(dirGit, record.rebase.onto, '--onto');
  const branch = submissionBranch(device);
  await refuseOnSubmissionBranch(git, branch);
  const newFile = record.rebase.patchPath;
  const made = await withWorkspace((ws) => makePatch(dirGit, ws, cfg, { base: ontoInDir.commit, baseTree: ontoInDir.tree, tree: head.tree, info: record.rebase.info, label: newFile }));
  if (!made) throw new RefusedError(`the resolved tree in ${target} holds no vendor change`, 'nothing to submit for this base');
  const title = titleOf(device, record.rebase.info.subject);
  const { commit } = await commitSubmission(git, cfg, {
    devices: [device],
    id: record.id,
    file: newFile,
    onto: onto.commit,
    ontoTree: onto.tree,
    ontoLabel: onto.commit.slice(0, 12),
    mailbox: made.mailbox,
    title,
    branch,
  });
  const from = record.rebase.from;
  return {
    mode: 'patch',
    device,
    id: path.basename(path.dirname(from)),
    patchPath: from,
    base: record.rebase.fromBase,
    onto: onto.commit,
    state: 'resolved',
    conflicts: [],
    newId: record.id,
    newPatchPath: newFile,
    commit,
    branch,
    files: made.files,
    insertions: made.insertions,
    deletions: made.deletions,
  };
}

/** The committed patch of `device` at `given` (its folder name, or a unique prefix of its base). */
async function findPatch(git: Git, cfg: Config, tree: string, device: string, given: string): Promise<{ id: string; path: string; base: string; messages: PatchMessage[] }> {
  if (!/^[0-9a-f]+$/.test(given)) throw new UsageError(`--commit-id ${JSON.stringify(given)} is not a patch ID`, 'pass the patch folder name (e.g. aaaaaa)');
  const { patches } = await listPatches(git, cfg, tree);
  const mine = patches.filter((p) => p.device === device);
  const matches = mine.filter((p) => p.id === given || p.id.startsWith(given) || given.startsWith(p.id));
  const exact = matches.find((p) => p.id === given.slice(0, cfg.idLength));
  const found = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!found) {
    const ids = mine
      .map((p) => p.id)
      .sort()
      .join(', ');
    throw new RefusedError(
      `no single committed ${device} patch for --commit-id ${given}`,
      ids ? `${device} has patches at: ${ids}; pass one of them` : `HEAD holds no ${device} patch under ${cfg.patchDir}/${device}/`,
    );
  }
  const [blob] = await git.objects([found.sha]);
  const messages = parsePatch(blob?.data ?? Buffer.alloc(0), found.path);
  return { id: found.id, path: found.path, base: await baseOf(git, found.id, messages, found.path), messages };
}

/** REV older than the base (an ancestor of it) is refused unless allowed; the base itself is nothing to do. */
export async function checkNotOlder(git: Git, base: string, rev: string, allowOlder: boolean): Promise<void> {
  if (base === rev) throw new RefusedError(`the patch is already based on ${rev.slice(0, 12)}`, 'pass --onto a newer upstream commit');
  const older = (await git.run(['merge-base', '--is-ancestor', rev, base], { ok: [1] })).code === 0;
  if (older && !allowOlder) {
    throw new RefusedError(`${rev.slice(0, 12)} is older than the current base ${base.slice(0, 12)} (an ancestor of it)`, 'pass --onto a newer commit, or --allow-older to go back on purpose');
  }
}

/** The message of the carried patch: the old patch's author, date and subject, on the new base. */
export function infoFrom(messages: readonly PatchMessage[], base: string, device: string): MessageInfo {
  const m = messages[0];
  return {
    author: { name: m?.author?.name ?? 'flagpatch', email: m?.author?.email ?? '', date: m?.date ?? 'Thu, 1 Jan 1970 00:00:00 +0000' },
    subject: m?.subject || `[${device}] Adapt to ${device}`,
    base,
    device,
  };
}

function titleOf(device: string, subject: string): string {
  return `[${device}] ${subject.replace(/^\[[^\]]*\]\s*/, '')}`;
}

function modeAt(merge: MergeOutcome, file: string): string {
  return merge.stages.find((e) => e.path === file && e.stage === 3)?.mode ?? merge.stages.find((e) => e.path === file)?.mode ?? '100644';
}

/** Paths among `files` whose version in `tree` (the index when '') still holds a conflict marker with our labels. */
export async function markersLeft(git: Git, tree: string, files: readonly string[], labels: readonly [string, string]): Promise<string[]> {
  const blobs = await git.objects(files.map((f) => (tree ? `${tree}:${f}` : `:${f}`)));
  const open = `<<<<<<< ${labels[0]}`;
  const close = `>>>>>>> ${labels[1]}`;
  return files.filter((_, i) => {
    const text = blobs[i]?.data.toString('latin1');
    return text !== undefined && text.split('\n').some((l) => l.replace(/\r$/, '') === open || l.replace(/\r$/, '') === close);
  });
}

/**
 * DIR/<DEV>/<name>: a repository whose HEAD is REV on branch `branch`, with the merge in its
 * index (conflicted paths at stages 1-3) and work tree (conflict markers), built in a hidden
 * sibling and renamed into place, as `unpatch --dir` does. Returns its path.
 */
async function materializeMerge(git: Git, cfg: Config, opts: RebaseOptions, ws: string, m: { tree: string; merge: MergeOutcome; record: DirRecord; branch: string }): Promise<string> {
  const root = path.resolve(opts.cwd ?? process.cwd(), opts.dir!);
  if (path.parse(root).root === root) throw new UsageError(`--dir ${opts.dir} is the root of the file system`, 'pass a folder of its own, e.g. --dir build');
  const target = path.join(root, m.record.device, cfg.name);
  const top = fs.realpathSync(git.top);
  const real = realpathOfExisting(target);
  if (real === top || isInside(real, top))
    throw new RefusedError(`${target} would replace the repository itself`, 'pass a --dir outside of the repository, or one of its ignored folders such as build');
  await checkReplaceable(git, target, opts.force ?? false);
  const created: string[] = [];
  for (const d of [root, path.dirname(target)]) {
    if (!fs.existsSync(d)) {
      fs.mkdirSync(d, { recursive: true });
      created.push(d);
    }
  }
  removeLeftovers(path.dirname(target), `.${path.basename(target)}.flagpatch-`);
  const tmp = `${path.join(path.dirname(target), `.${cfg.name}.flagpatch-${process.pid}-`)}${Math.random().toString(36).slice(2, 8)}`;
  const cleanup = () => {
    removeTree(tmp);
    for (const d of [...created].reverse()) {
      try {
        fs.rmdirSync(d);
      } catch {
        // not empty, or gone
      }
    }
  };
  const release = onInterrupt(cleanup);
  try {
    await git.elsewhere(git.top).run(['clone', '--quiet', '--local', '--no-checkout', '--no-tags', '--', git.top, tmp]);
    copyObjects(ws, path.join(tmp, '.git', 'objects'));
    const repo = git.elsewhere(tmp);
    await repo.run(['update-ref', `refs/heads/${m.branch}`, m.record.head]);
    await repo.run(['symbolic-ref', 'HEAD', `refs/heads/${m.branch}`]);
    await repo.run(['remote', 'remove', 'origin']);
    const others = (await repo.text(['for-each-ref', '--format=%(refname)'])).split('\n').filter((r) => r && r !== `refs/heads/${m.branch}`);
    if (others.length) await repo.run(['update-ref', '--stdin'], { input: others.map((r) => `delete ${r}\n`).join('') });
    await repo.run(['read-tree', m.tree]);
    writeNoFilterAttributes(tmp);
    await repo.run(['-c', 'core.autocrlf=false', 'checkout-index', '--all', '--force', '--quiet']);
    await stageConflicts(repo, m.merge.stages);
    await repo.run(['update-index', '-q', '--refresh'], { ok: [1] });
    // As unpatch marks its trees (the folder and the commit it made), so a rerun may replace it.
    writeMarker(tmp, target, { ...m.record, branch: m.branch });
    swapIntoPlace(tmp, target);
    return target;
  } catch (e) {
    await settled(); // a clone still running could recreate what cleanup removes
    cleanup();
    throw e;
  } finally {
    release();
  }
}

/** Replaces the conflicted paths of the index named by `git` with their stages 1-3, as `git merge` leaves them. */
export async function stageConflicts(git: Git, stages: readonly StageEntry[]): Promise<void> {
  if (!stages.length) return;
  const paths = [...new Set(stages.map((e) => e.path))];
  const input = paths.map((p) => `0 ${'0'.repeat(stages[0].sha.length)}\t${p}\0`).join('') + stages.map((e) => `${e.mode} ${e.sha} ${e.stage}\t${e.path}\0`).join('');
  await git.run(['update-index', '-z', '--index-info'], { input });
}
