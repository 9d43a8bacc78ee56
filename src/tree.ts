// Edits a tree without an index: only the folders on the edited paths are read and rewritten
// (`ls-tree` + `mktree` per level), so the cost does not grow with the repository.
import type { Entry, Git } from './git.js';

/** A new blob at `path`, or null to remove whatever is there. */
export interface TreeEdit {
  path: string;
  entry: { mode: string; sha: string } | null;
}

/** Returns the id of `tree` with `edits` made (the empty tree when nothing is left). */
export async function editTree(git: Git, tree: string | null, edits: readonly TreeEdit[]): Promise<string> {
  return (
    (await editLevel(
      git,
      tree,
      edits.map((e) => ({ parts: e.path.split('/'), entry: e.entry })),
    )) ?? (await git.mktree([]))
  );
}

async function editLevel(git: Git, tree: string | null, edits: { parts: string[]; entry: TreeEdit['entry'] }[]): Promise<string | null> {
  const entries = new Map<string, Entry>();
  if (tree) for (const e of await git.lsTree(tree, null, false)) entries.set(e.path, e);
  const deeper = new Map<string, typeof edits>();
  for (const e of edits) {
    const [name, ...rest] = e.parts;
    if (rest.length === 0) {
      if (e.entry) entries.set(name, { mode: e.entry.mode, sha: e.entry.sha, path: name });
      else entries.delete(name);
    } else {
      deeper.set(name, [...(deeper.get(name) ?? []), { parts: rest, entry: e.entry }]);
    }
  }
  for (const [name, sub] of deeper) {
    const current = entries.get(name);
    const subtree = await editLevel(git, current?.mode === '040000' ? current.sha : null, sub);
    if (subtree) entries.set(name, { mode: '040000', sha: subtree, path: name });
    else entries.delete(name);
  }
  if (entries.size === 0) return null;
  return git.mktree([...entries.values()]);
}
