// `flagpatch refresh --amend`: makes HEAD's own patch fresh for HEAD's tree and, when that
// changes it, replaces HEAD by the same commit with the fresh patch. For the commits git makes
// without a pre-commit hook: merges git completes itself, cherry-picks, reverts, and each
// commit of a rebase (`git rebase -x 'npx --no-install flagpatch refresh --amend' <upstream>`).
//
// The new commit is HEAD's object with only the tree and the committer changed (author,
// message, encoding and parents kept; a signature is dropped, since it would no longer
// match), made with plumbing: the index and work tree keep everything else the user has,
// only the patch file is updated in both.
import fs from 'node:fs';
import path from 'node:path';
import { openContext, revisionOf, type CommonOptions } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import { refuseUnmergedPaths } from './unmerged.js';
import type { Git } from '../git.js';
import { patchId, patchPath } from '../layout.js';
import { makePatch } from '../patch/make.js';
import { blobId, messageInfo, refuseSymlinks, type RefreshResult } from '../commands/refresh.js';
import { withWorkspace, writeFileAtomic } from '../tmp.js';
import { editTree } from '../tree.js';

export interface AmendResult extends RefreshResult {
  /** The commit that replaced HEAD, when the patch changed. */
  commit?: string;
  /** The commit HEAD was before. */
  replaced?: string;
  /** Why a hook did not refresh, for the user. */
  note?: string;
}

export async function refreshAmend(opts: CommonOptions = {}): Promise<AmendResult> {
  const { git, cfg } = await openContext(opts);
  if (!cfg.deviceType) return { action: 'skipped' };
  const device = cfg.deviceType;
  if (!cfg.baseCommit) throw new UsageError('"deviceType" is set but "baseCommit" is not', 'run flagpatch init --device-type DEV --base-commit-id REV, or add "baseCommit"', cfg.file);
  const [unmerged, head, { commit: base, tree: baseTree }] = await Promise.all([git.text(['ls-files', '-u', '-z']), git.resolve('HEAD'), revisionOf(git, cfg.baseCommit, 'baseCommit')]);
  const paths = [
    ...new Set(
      unmerged
        .split('\0')
        .filter(Boolean)
        .map((r) => r.slice(r.indexOf('\t') + 1)),
    ),
  ];
  refuseUnmergedPaths(paths, 'HEAD is not the commit being made', 'then finish the operation (git commit, or git rebase --continue)');
  if (!head) throw new RefusedError('HEAD names no commit yet', 'commit first');
  const file = patchPath(cfg, device, patchId(base, cfg));
  const worktreeFile = path.join(git.top, file);
  refuseSymlinks(git.top, file);
  const current = await git.objectAt(head.tree, file);
  const info = messageInfo(git, current ?? undefined, worktreeFile, { base, device, name: cfg.name, file });
  const made = await withWorkspace((dir) => makePatch(git, dir, cfg, { base, baseTree, tree: head.tree, info, label: file }));
  if (made ? current === blobId(made.mailbox, head.commit.length) : !current) {
    return { action: 'unchanged', patchPath: file, ...(made ? { files: made.files, insertions: made.insertions, deletions: made.deletions } : {}) };
  }
  const sha = made ? await git.hashObject(made.mailbox) : null;
  const tree = await editTree(git, head.tree, [{ path: file, entry: sha ? { mode: '100644', sha } : null }]);
  const commit = await git.text(['hash-object', '-t', 'commit', '-w', '--stdin'], { input: await rewrittenCommit(git, head.commit, tree) });
  await git.run(['update-ref', '-m', 'flagpatch refresh --amend', 'HEAD', commit, head.commit], { waitForLock: true });
  if (sha) {
    await git.run(['update-index', '--add', '--cacheinfo', `100644,${sha},${file}`], { waitForLock: true });
    writeFileAtomic(worktreeFile, made!.mailbox);
    return { action: 'updated', patchPath: file, files: made!.files, insertions: made!.insertions, deletions: made!.deletions, commit, replaced: head.commit };
  }
  await git.run(['update-index', '--force-remove', '--', file], { waitForLock: true });
  fs.rmSync(worktreeFile, { force: true });
  return { action: 'removed', patchPath: file, commit, replaced: head.commit };
}

/**
 * A commit object like `commit` with another tree, today's committer and (optionally) its
 * parents replaced through `parents`; a signature is dropped, since it would no longer match.
 */
export async function rewrittenCommit(git: Git, commit: string, tree: string, parents?: ReadonlyMap<string, string>): Promise<Buffer> {
  const raw = (await git.run(['cat-file', 'commit', commit])).stdout;
  const end = raw.indexOf('\n\n');
  const headers = raw
    .subarray(0, end === -1 ? raw.length : end)
    .toString('utf8')
    .split('\n');
  const committer = await git.text(['var', 'GIT_COMMITTER_IDENT']);
  const out: string[] = [];
  let skipping = false;
  for (const h of headers) {
    if (h.startsWith(' ')) {
      if (!skipping) out.push(h);
      continue;
    }
    skipping = h.startsWith('gpgsig');
    if (skipping) continue;
    if (h.startsWith('tree ')) out.push(`tree ${tree}`);
    else if (h.startsWith('parent ') && parents?.has(h.slice(7))) out.push(`parent ${parents.get(h.slice(7))}`);
    else if (h.startsWith('committer ')) out.push(`committer ${committer}`);
    else out.push(h);
  }
  return Buffer.concat([Buffer.from(out.join('\n')), end === -1 ? Buffer.alloc(0) : raw.subarray(end)]);
}
