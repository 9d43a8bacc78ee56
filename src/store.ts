// The patches a tree holds under patchDir, and the base commit each one belongs to.
import type { Config } from './config.js';
import { fetchFix } from './context.js';
import { RefusedError } from './errors.js';
import type { Entry, Git } from './git.js';
import { DEVICE_RE, parsePatchPath } from './layout.js';
import { LIMITS } from './limits.js';
import type { PatchMessage } from './patch/parse.js';

export interface StoredPatch {
  device: string;
  id: string;
  path: string;
  sha: string;
}

export interface LayoutProblem {
  path: string;
  problem: string;
}

/**
 * Lists `<patchDir>/<DEV>/<ID>/<ID>.patch` files of a tree; anything else there is a problem
 * (the first LIMITS.problems are listed, `more` counts the rest).
 */
export async function listPatches(git: Git, cfg: Config, tree: string): Promise<{ patches: StoredPatch[]; problems: LayoutProblem[]; more: number }> {
  const entries: Entry[] = await git.lsTree(tree, [cfg.patchDir], true);
  const patches: StoredPatch[] = [];
  const problems: LayoutProblem[] = [];
  let more = 0;
  const problem = (p: LayoutProblem) => (problems.length < LIMITS.problems ? problems.push(p) : more++);
  const idRe = new RegExp(`^[0-9a-f]{${cfg.idLength}}$`);
  for (const e of entries) {
    if (e.path !== cfg.patchDir && !e.path.startsWith(`${cfg.patchDir}/`)) continue;
    const where = parsePatchPath(cfg, e.path);
    if (!where) problem({ path: e.path, problem: `does not fit ${cfg.patchDir}/<DEVICE>/<ID>/<ID>.patch` });
    else if (!DEVICE_RE.test(where.device)) problem({ path: e.path, problem: `device folder ${JSON.stringify(where.device)} is not a device name (ASCII letters, digits and _)` });
    else if (!idRe.test(where.id)) problem({ path: e.path, problem: `ID folder ${JSON.stringify(where.id)} is not ${cfg.idLength} lowercase hex digits` });
    else if (e.mode !== '100644' && e.mode !== '100755') problem({ path: e.path, problem: 'is not a regular file' });
    else if (patches.length >= LIMITS.patches) problem({ path: e.path, problem: `was not checked: the commit holds more than ${LIMITS.patches} patch files, the limit` });
    else patches.push({ ...where, path: e.path, sha: e.sha });
  }
  return { patches, problems, more };
}

/**
 * The full sha of the base a patch was made on: its Flagpatch-Base trailer (already checked
 * against its folder by src/patch/rules.ts), or for legacy patches the commit its ID
 * abbreviates. Throws when the repository does not have it.
 */
export async function baseOf(git: Git, id: string, messages: readonly PatchMessage[], label: string, lookup = (rev: string) => git.commit(rev)): Promise<string> {
  const trailer = messages.find((m) => m.base)?.base;
  const sha = await lookup(trailer ?? id);
  if ((!sha || !sha.startsWith(id)) && (await git.isShallow())) {
    throw new RefusedError(`its base ${trailer ?? id} is not in this shallow clone (its history is cut short)`, await fetchFix(git, trailer ?? id), label);
  }
  if (!sha || !sha.startsWith(id)) {
    throw new RefusedError(
      `its base ${trailer ?? id} is not a commit of this repository${trailer ? '' : ' (or the ID is ambiguous)'}`,
      'fetch the upstream history that holds the base (git fetch upstream)',
      label,
    );
  }
  return sha;
}
