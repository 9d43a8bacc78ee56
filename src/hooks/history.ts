// The hooks for commits git makes without a pre-commit hook.
//   post-merge   a merge git completed itself: git wrote its tree before pre-merge-commit could
//                change it, so the merge commit is amended with the fresh patch here
//   post-commit  hooks/post-commit calls this after `git commit` of a merge while a `flagpatch
//                rebase` state is left (the commit finished it: the state goes), and after
//                `git cherry-pick` / `git revert`; with
//                one commit it is amended here. A sequence (several commits, or a rebase) keeps
//                its index in memory between commits, so amending under it would break it:
//                a rebase is refreshed by post-rewrite once it has finished, a sequence of
//                picks with `git rebase -x 'npx --no-install flagpatch refresh --amend'`.
//   post-rewrite after a rebase: every rewritten commit gets its fresh patch (below).
import fs from 'node:fs';
import path from 'node:path';
import { messageInfo, refuseSymlinks } from '../commands/refresh.js';
import { openContext, revisionOf, type CommonOptions } from '../context.js';
import { Git } from '../git.js';
import { refreshAmend, rewrittenCommit, type AmendResult } from '../history/amend.js';
import { patchId, patchPath } from '../layout.js';
import { inexactProblem } from '../patch/fresh.js';
import { makePatch } from '../patch/make.js';
import { withWorkspace, writeFileAtomic } from '../tmp.js';
import { editTree } from '../tree.js';
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
  if ((await git.text(['log', '-g', '-1', '--format=%gs', 'HEAD'])).startsWith('commit (merge)')) {
    // The pre-commit hook already wrote the patch; only a finished rebase's state is left.
    const { clearStaleRebase } = await import('../commands/rebase-fork.js');
    const why = await clearStaleRebase(git);
    return { action: 'skipped', note: why ? `flagpatch: ${why}: the rebase is complete; removed its state` : undefined };
  }
  const [sequencer, ...others] = (await git.text(['rev-parse', '--git-path', 'sequencer', '--git-path', 'rebase-merge', '--git-path', 'rebase-apply']))
    .split('\n')
    .map((p) => path.resolve(git.top, p));
  if ([sequencer, ...others].some((p) => fs.existsSync(p))) {
    const note = `flagpatch: ${await git.text(['rev-parse', '--short', 'HEAD'])} was not refreshed (a sequence of picks); when it ends: git rebase -x 'npx --no-install flagpatch refresh --amend' ${await sequenceStart(git, sequencer)}`;
    return { action: 'skipped', note };
  }
  return refreshAmend(opts);
}

/** The commit before the first pick: git's sequencer keeps it in `sequencer/head`. */
async function sequenceStart(git: Git, sequencer: string): Promise<string> {
  const head = path.join(sequencer, 'head');
  const sha = fs.existsSync(head) ? fs.readFileSync(head, 'utf8').trim() : '';
  const found = /^[0-9a-f]{40,64}$/.test(sha) ? await git.run(['rev-parse', '--short', '--verify', '--quiet', `${sha}^{commit}`], { ok: [1] }) : null;
  const short = found?.stdout.toString('utf8').trim();
  return short || '<the commit before the first pick>';
}

export interface RewriteResult {
  /** Commits replaced by one holding its fresh patch. */
  refreshed: number;
  /** The new HEAD, when it moved. */
  commit?: string;
  replaced?: string;
  patchPath?: string;
  note?: string;
  /** Other local branches that pointed at a rebased commit (`git rebase --update-refs`), moved to its replacement. */
  branches?: { name: string; from: string; to: string }[];
  /** Such branches checked out in another work tree: left alone, with the command that moves them. */
  stale?: { name: string; from: string; to: string; worktree: string }[];
}

/**
 * post-rewrite after a rebase (git gives the old and new id of each rewritten commit on
 * stdin): every new commit whose patch is not exactly fresh is replaced by the same commit
 * with its fresh patch, its descendants re-parented, and the branch moved to the new tip —
 * after git has finished, so nothing works under the rebase. Skipped for `--amend` (the
 * pre-commit hook ran) and when HEAD is not the last rewritten commit (e.g. an `-x refresh
 * --amend` step already replaced it).
 */
export async function postRewrite(opts: CommonOptions & { kind: string; input: string }): Promise<RewriteResult> {
  const env = opts.env ?? process.env;
  if (skipped(env) || opts.kind !== 'rebase') return { refreshed: 0 };
  const { git, cfg } = await openContext(opts);
  if (!cfg.deviceType || !cfg.baseCommit) return { refreshed: 0 };
  const rewritten = [
    ...new Set(
      opts.input
        .split('\n')
        .map((l) => l.split(' ')[1])
        .filter((s): s is string => !!s && /^[0-9a-f]{40,64}$/.test(s)),
    ),
  ];
  const head = await git.resolve('HEAD');
  if (!head || rewritten[rewritten.length - 1] !== head.commit) return { refreshed: 0 };
  const { commit: base, tree: baseTree } = await revisionOf(git, cfg.baseCommit, 'baseCommit');
  const device = cfg.deviceType;
  const file = patchPath(cfg, device, patchId(base, cfg));
  const worktreeFile = path.join(git.top, file);
  refuseSymlinks(git.top, file);
  const moved = new Map<string, string>();
  let last: { mailbox: Buffer | null; sha: string | null } | null = null;
  await withWorkspace(async (dir) => {
    for (const c of rewritten) {
      const tree = await git.text(['rev-parse', `${c}^{tree}`]);
      const current = await git.objectAt(tree, file);
      const text = current ? await git.blob(current) : null;
      const exact = text ? !(await inexactProblem(git, cfg, base, tree, text)) : false;
      let edited = tree;
      if (!exact) {
        const info = messageInfo(git, current ?? undefined, worktreeFile, { base, device, name: cfg.name, file });
        const made = await makePatch(git, dir, cfg, { base, baseTree, tree, info, label: file });
        const sha = made ? await git.hashObject(made.mailbox) : null;
        if (sha !== current) {
          edited = await editTree(git, tree, [{ path: file, entry: sha ? { mode: '100644', sha } : null }]);
          if (c === head.commit) last = { mailbox: made?.mailbox ?? null, sha };
        }
      }
      const parents = (await git.text(['rev-list', '--parents', '-n', '1', c])).split(' ').slice(1);
      if (edited === tree && !parents.some((p) => moved.has(p))) continue;
      moved.set(c, await git.text(['hash-object', '-t', 'commit', '-w', '--stdin'], { input: await rewrittenCommit(git, c, edited, moved) }));
    }
  });
  const tip = moved.get(head.commit);
  if (!tip) return { refreshed: 0 };
  await git.run(['update-ref', '-m', 'flagpatch: fresh patches after rebase', 'HEAD', tip, head.commit], { waitForLock: true });
  const { branches, stale } = await moveBranches(git, moved);
  const fresh = last as { mailbox: Buffer | null; sha: string | null } | null;
  if (fresh?.sha) {
    await git.run(['update-index', '--add', '--cacheinfo', `100644,${fresh.sha},${file}`], { waitForLock: true });
    writeFileAtomic(worktreeFile, fresh.mailbox!);
  } else if (fresh) {
    await git.run(['update-index', '--force-remove', '--', file], { waitForLock: true });
    fs.rmSync(worktreeFile, { force: true });
  }
  return { refreshed: moved.size, commit: tip, replaced: head.commit, patchPath: file, branches, stale };
}

/**
 * `git rebase --update-refs` also moves other branches onto rebased commits — after this hook,
 * from the list in its state folder (`<ref>`, its commit before, the rebased one, a line
 * each). Where we replaced that rebased commit, the list gets our replacement, so git itself
 * moves the branch there. A branch already on a replaced commit follows it, as the checked-out
 * one did; one checked out in another work tree is left alone (moving it would change that
 * tree's HEAD under it) and named.
 */
async function moveBranches(git: Git, moved: Map<string, string>) {
  const branches: NonNullable<RewriteResult['branches']> = [];
  const stale: NonNullable<RewriteResult['stale']> = [];
  const list = path.resolve(git.top, await git.text(['rev-parse', '--git-path', 'rebase-merge/update-refs']));
  if (fs.existsSync(list)) {
    const lines = fs.readFileSync(list, 'utf8').split('\n');
    for (let i = 0; i + 2 < lines.length; i += 3) {
      const to = moved.get(lines[i + 2]);
      if (!to || !lines[i].startsWith('refs/heads/')) continue;
      branches.push({ name: lines[i].slice('refs/heads/'.length), from: lines[i + 2], to });
      lines[i + 2] = to;
    }
    if (branches.length) writeFileAtomic(list, lines.join('\n'));
  }
  const current = (await git.run(['symbolic-ref', '-q', 'HEAD'], { ok: [1] })).stdout.toString('utf8').trim();
  const checkedOut = new Map<string, string>();
  let tree = '';
  for (const line of (await git.text(['worktree', 'list', '--porcelain'])).split('\n')) {
    if (line.startsWith('worktree ')) tree = line.slice('worktree '.length);
    else if (line.startsWith('branch ')) checkedOut.set(line.slice('branch '.length), tree);
  }
  for (const line of (await git.text(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/'])).split('\n')) {
    const at = line.indexOf(' ');
    const [from, ref] = [line.slice(0, at), line.slice(at + 1)];
    const to = moved.get(from);
    if (!to || ref === current) continue;
    const name = ref.slice('refs/heads/'.length);
    const worktree = checkedOut.get(ref);
    if (worktree) {
      stale.push({ name, from, to, worktree });
      continue;
    }
    await git.run(['update-ref', '-m', 'flagpatch: fresh patches after rebase', ref, to, from], { waitForLock: true });
    branches.push({ name, from, to });
  }
  return { branches, stale };
}
