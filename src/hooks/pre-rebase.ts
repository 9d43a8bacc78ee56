// The pre-rebase hook: a rebase of commits that hold a base move — the merge commit
// `flagpatch rebase --onto` makes — is refused before it starts. A flattening rebase (git's
// default, `git pull --rebase`) drops the merge and replays upstream's commits as the fork's
// own; one that keeps merges (`--rebase-merges`, `git pull --rebase=merges`) merges the
// parents again and loses what the merge itself changed: the config's baseCommit and the new
// base's patch. Either way the config goes back to the old base and upstream's changes become
// vendor code in the patch. Merging (`git pull --no-rebase`) keeps the move.
import { loadConfig } from '../config.js';
import { openRepo, type CommonOptions } from '../context.js';
import { RefusedError } from '../errors.js';
import type { Git } from '../git.js';
import { treeSource } from '../source.js';
import { skipped } from './pre-commit.js';

export interface BaseMove {
  merge: string;
  from: string;
  to: string;
}

/**
 * git's pre-rebase arguments: the upstream the rebase starts from, and the branch being rebased
 * (empty: the current one). Throws RefusedError when upstream..branch holds a base move.
 */
export async function preRebase(opts: CommonOptions & { upstream: string; branch?: string }): Promise<{ moves: BaseMove[] }> {
  const env = opts.env ?? process.env;
  if (skipped(env) || !opts.upstream) return { moves: [] };
  const git = await openRepo(opts);
  const moves = await baseMoves(git, opts.upstream, opts.branch || 'HEAD');
  if (!moves.length) return { moves };
  const m = moves[0];
  throw new RefusedError(
    `this rebase would undo the base move ${m.merge.slice(0, 12)} (baseCommit ${m.from.slice(0, 12)} → ${m.to.slice(0, 12)}): git rebuilds or drops merge commits, even with --rebase-merges, and upstream's commits would become vendor code`,
    'merge instead: git pull --no-rebase (or git merge), or rebase only the commits after the base move (FLAGPATCH_SKIP=1 skips this check)',
  );
}

/** The merge commits of upstream..branch that change the config's baseCommit (first parent → merge). */
export async function baseMoves(git: Git, upstream: string, branch: string): Promise<BaseMove[]> {
  const r = await git.run(['rev-list', '--merges', '--parents', `${upstream}..${branch}`, '--'], { ok: [128] });
  if (r.code !== 0) return [];
  const moves: BaseMove[] = [];
  for (const line of r.stdout.toString('utf8').split('\n').filter(Boolean)) {
    const [merge, first] = line.split(' ');
    const [to, from] = [await baseOf(git, merge), await baseOf(git, first)];
    if (to && from && to !== from) moves.push({ merge, from, to });
  }
  return moves;
}

async function baseOf(git: Git, commit: string): Promise<string | undefined> {
  try {
    const cfg = await loadConfig(treeSource(git, await git.text(['rev-parse', `${commit}^{tree}`]), commit));
    return cfg.baseCommit || undefined;
  } catch {
    // A commit whose config does not load moves no base we can name.
    return undefined;
  }
}
