// A patch describes the vendor code as a change of its base. When the base is not an ancestor
// of the vendor commit, the diff between them also undoes every upstream change the vendor
// commit does not hold (upstream's newer files would be deleted), so it is refused.
import { RefusedError } from '../errors.js';
import type { Git } from '../git.js';

export async function requireAncestor(git: Git, base: { commit: string; given: string; flag: string }, current: { commit: string; given: string }): Promise<void> {
  if (await git.isAncestor(base.commit, current.commit)) return;
  throw new RefusedError(
    `${base.flag} ${base.given} (${base.commit.slice(0, 12)}) is not an ancestor of ${current.given} (${current.commit.slice(0, 12)}): ` +
      `a patch from it would also undo the upstream changes ${current.given} does not hold`,
    `pass the upstream commit your branch is built on, or merge ${base.given} into your branch first (git merge ${base.given})`,
  );
}
