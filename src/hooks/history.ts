// The hooks for commits git makes without a pre-commit hook.
//   post-merge   a merge git completed itself: git wrote its tree before pre-merge-commit could
//                change it, so the merge commit is amended with the fresh patch here
//   post-commit  hooks/post-commit calls this only after `git cherry-pick` / `git revert`; with
//                one commit it is amended here. A sequence (several commits, or a rebase) keeps
//                its index in memory between commits, so amending under it would break it:
//                those are refreshed with `git rebase -x 'npx flagpatch refresh --amend'`.
import fs from 'node:fs';
import path from 'node:path';
import type { CommonOptions } from '../context.js';
import { Git } from '../git.js';
import { refreshAmend, type AmendResult } from '../history/amend.js';
import { skipped } from './pre-commit.js';

export async function postMerge(opts: CommonOptions & { squash: boolean }): Promise<AmendResult> {
  const env = opts.env ?? process.env;
  if (skipped(env) || opts.squash) return { action: 'skipped' };
  const git = await Git.open(opts.cwd ?? process.cwd(), env);
  // A fast-forward makes no commit: nothing of ours to amend.
  const parents = (await git.text(['rev-list', '--parents', '-n', '1', 'HEAD'])).split(' ').length - 1;
  if (parents < 2) return { action: 'skipped' };
  return refreshAmend(opts);
}

export async function postCommit(opts: CommonOptions): Promise<AmendResult> {
  const env = opts.env ?? process.env;
  if (skipped(env)) return { action: 'skipped' };
  const git = await Git.open(opts.cwd ?? process.cwd(), env);
  const inSequence = (await git.text(['rev-parse', '--git-path', 'sequencer', '--git-path', 'rebase-merge', '--git-path', 'rebase-apply']))
    .split('\n')
    .some((p) => fs.existsSync(path.resolve(git.top, p)));
  if (inSequence) {
    const note = `flagpatch: ${(await git.text(['rev-parse', '--short', 'HEAD']))} was not refreshed (a sequence of picks); when it ends: git rebase -x 'npx flagpatch refresh --amend' <the commit before the first pick>`;
    return { action: 'skipped', note };
  }
  return refreshAmend(opts);
}
