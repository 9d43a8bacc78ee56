// `flagpatch patch`: the submission commit for upstream. The patch is made from the base to
// the current commit, verified, and committed on top of --onto with plumbing only: the
// user's work tree, index, HEAD and current branch are never touched.
import type { Config } from '../config.js';
import { devicesOf, openContext, revisionOf, type CommonOptions } from '../context.js';
import { RefusedError } from '../errors.js';
import type { Git } from '../git.js';
import { addCombination, readHetero } from '../hetero.js';
import { requireAncestor } from '../history/ancestry.js';
import { treeSource } from '../source.js';
import { patchId, patchPath } from '../layout.js';
import { makePatch } from '../patch/make.js';
import { withWorkspace } from '../tmp.js';
import { editTree, type TreeEdit } from '../tree.js';

export interface PatchOptions extends CommonOptions {
  /** Devices; the last is the one patched now, the others must already have patches (hetero). */
  deviceTypes?: string[];
  baseCommitId?: string;
  currentCommitId?: string;
  onto?: string;
}

export interface PatchResult {
  device: string;
  devices: string[];
  id: string;
  base: string;
  onto: string;
  commit: string;
  branch: string;
  patchPath: string;
  heteroUpdated: boolean;
  files: number;
  insertions: number;
  deletions: number;
}

export async function patch(opts: PatchOptions): Promise<PatchResult> {
  // The config of the commit turned into a patch, not the work tree's.
  const { git, cfg } = await openContext(opts, { rev: opts.currentCommitId ?? 'HEAD', flag: '--current-commit-id' });
  const devices = devicesOf(opts.deviceTypes, cfg);
  const device = devices[devices.length - 1];
  const [{ commit: base, tree: baseTree }, { commit: current, tree: currentTree }] = await Promise.all([
    revisionOf(git, opts.baseCommitId ?? cfg.baseCommit, '--base-commit-id'),
    revisionOf(git, opts.currentCommitId ?? 'HEAD', '--current-commit-id'),
  ]);
  await requireAncestor(
    git,
    { commit: base, given: opts.baseCommitId ?? cfg.baseCommit!, flag: opts.baseCommitId ? '--base-commit-id' : 'baseCommit' },
    { commit: current, given: opts.currentCommitId ?? 'HEAD' },
  );
  const { commit: onto, tree: ontoTree } = opts.onto ? await revisionOf(git, opts.onto, '--onto') : { commit: base, tree: baseTree };
  if (opts.onto && (await git.run(['merge-base', '--is-ancestor', base, onto], { ok: [1] })).code !== 0) {
    // Upstream at --onto would not have the commit the patch applies to (e.g. --onto an older
    // upstream commit than the base, or a branch that never had it).
    throw new RefusedError(
      `--onto ${opts.onto} (${onto.slice(0, 12)}) does not hold the base ${base.slice(0, 12)}: upstream at it lacks the commit the patch is made against; nothing was committed`,
      `pass --onto an upstream commit that holds the base (e.g. upstream/main after git fetch upstream), or move the fork there first: npx --no-install flagpatch rebase --onto ${opts.onto}`,
    );
  }
  const id = patchId(base, cfg);
  const file = patchPath(cfg, device, id);
  const branch = submissionBranch(device);

  await refuseOnSubmissionBranch(git, branch);

  for (const other of devices.slice(0, -1)) {
    if (!(await git.objectAt(ontoTree, patchPath(cfg, other, id)))) {
      throw new RefusedError(
        `${other} has no patch at ${id} in ${opts.onto ?? 'the base'} (${patchPath(cfg, other, id)}): heterogeneous patches must share one base`,
        `patch ${other} on this base first, or pass --onto a commit that holds its patch`,
      );
    }
  }

  const [name, email, date, subject] = (await git.text(['show', '-s', '--format=%an%x00%ae%x00%aD%x00%s', current])).split('\0');
  const title = `[${device}] ${subject.replace(/^\[[^\]]*\]\s*/, '')}`;
  const made = await withWorkspace((dir) =>
    makePatch(git, dir, cfg, {
      base,
      baseTree,
      tree: currentTree,
      info: { author: { name, email, date }, subject: title, base, device },
      label: file,
    }),
  );
  if (!made) {
    throw new RefusedError(
      `${opts.currentCommitId ?? 'HEAD'} holds no vendor changes: outside the owned paths its tree equals the base ${base.slice(0, 12)}`,
      'commit your adaptation first, or check --base-commit-id',
    );
  }

  const { commit, heteroUpdated } = await commitSubmission(git, cfg, { devices, id, file, onto, ontoTree, ontoLabel: opts.onto ?? 'the base', mailbox: made.mailbox, title, branch });
  const { files, insertions, deletions } = made;
  return { device, devices, id, base, onto, commit, branch, patchPath: file, heteroUpdated, files, insertions, deletions };
}

export function submissionBranch(device: string): string {
  return `flagpatch/${device}`;
}

/** The submission branch is written by plumbing; being on it would leave the work tree behind. */
export async function refuseOnSubmissionBranch(git: Git, branch: string): Promise<void> {
  const head = await git.run(['symbolic-ref', '-q', 'HEAD'], { ok: [1] });
  if (head.stdout.toString('utf8').trim() === `refs/heads/${branch}`) {
    throw new RefusedError(`you are on ${branch}, the branch flagpatch writes the submission to`, 'switch to your vendor branch first (git switch -)');
  }
}

export interface Submission {
  /** Every device of the combination; the last is the one whose patch this is. */
  devices: string[];
  id: string;
  /** Where the patch goes: <patchDir>/<DEV>/<ID>/<ID>.patch. */
  file: string;
  onto: string;
  ontoTree: string;
  /** Names the --onto commit in messages. */
  ontoLabel: string;
  mailbox: Buffer;
  /** The commit message's first line, `[DEV] ...`. */
  title: string;
  branch: string;
}

/**
 * Commits the submission with plumbing only: the tree of `onto` plus the patch (and, for
 * several devices, the hetero combination), parent `onto`, on `branch`.
 */
export async function commitSubmission(git: Git, cfg: Config, s: Submission): Promise<{ commit: string; heteroUpdated: boolean }> {
  const edits: TreeEdit[] = [{ path: s.file, entry: { mode: '100644', sha: await git.hashObject(s.mailbox) } }];
  let heteroUpdated = false;
  if (s.devices.length > 1) {
    const hetero = await readHetero(treeSource(git, s.ontoTree, s.ontoLabel), cfg);
    if (hetero.problems.length) {
      const p = hetero.problems[0];
      throw new RefusedError(p.message, p.fix, `${cfg.heteroFile}:${p.line}`);
    }
    const text = hetero.text ?? '';
    const updated = addCombination(text, hetero, s.id, s.devices);
    if (updated !== text) {
      heteroUpdated = true;
      edits.push({ path: cfg.heteroFile, entry: { mode: '100644', sha: await git.hashObject(updated) } });
    }
  }
  const tree = await editTree(git, s.ontoTree, edits);
  const commit = await git.text(['commit-tree', tree, '-p', s.onto, '-F', '-'], { input: `${s.title}\n` });
  await git.run(['update-ref', '-m', `flagpatch patch: ${s.title}`, `refs/heads/${s.branch}`, commit], { waitForLock: true });
  return { commit, heteroUpdated };
}
