// A merge, rebase, cherry-pick or revert that stopped on conflicts leaves unmerged index
// entries. The patch is made from resolved code only, so the refresh names them and stops.
import { RefusedError } from '../errors.js';
import type { RawChange } from '../git.js';

/** Throws when `changes` (a raw diff against the index) holds unmerged paths. */
export function refuseUnmerged(changes: readonly RawChange[]): void {
  refuseUnmergedPaths(
    changes.filter((c) => c.status === 'U').map((c) => c.path),
    'the patch is made from resolved code only',
    'then commit again',
  );
}

/** Throws when `paths` is not empty: which paths, why that stops us, and what to do. */
export function refuseUnmergedPaths(paths: readonly string[], why: string, then: string): void {
  if (paths.length === 0) return;
  const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '');
  throw new RefusedError(`${paths.length} path${paths.length === 1 ? ' is' : 's are'} unmerged: ${shown}; ${why}`, `resolve them first (edit each file, then git add it), ${then}`);
}
