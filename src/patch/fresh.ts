// "Fresh means exact": the fork's own patch is fresh only when its diffstat and diff are byte
// for byte what flagpatch generates for the commit now (the message part may differ). A patch
// that still applies to the same tree can differ in text — e.g. a diffstat git merged
// line-wise — and a patch file is never hand-edited, so any difference is staleness.
// Also: conflict markers, which a merge, rebase or cherry-pick leaves in a patch file when it
// is merged as text.
import type { Config } from '../config.js';
import { FlagpatchError } from '../errors.js';
import type { Git } from '../git.js';
import { vendorPathspecs } from '../layout.js';
import { PATCH_DIFF_FLAGS } from './make.js';

const SEPARATOR = Buffer.from('\n---\n');
const SIGNATURE = Buffer.from('-- \nflagpatch\n');
// A conflict is a line opening one (`<<<<<<< ours`) and a later line closing it. No line of a
// diff, diffstat or base85 binary data starts with `<` or `>`, so this is never a false alarm.

/**
 * The 1-based line of the first conflict marker in a patch text, or null when it holds none.
 * Markers are found with native searches, not line by line: a patch of millions of empty lines
 * costs one pass.
 */
export function conflictMarkerLine(text: Buffer): number | null {
  const open = markerAt(text, '<<<<<<<', 0);
  if (open === -1 || markerAt(text, '>>>>>>>', open + 7) === -1) return null;
  let line = 1;
  for (let nl = text.indexOf(0x0a); nl !== -1 && nl < open; nl = text.indexOf(0x0a, nl + 1)) line++;
  return line;
}

/** Where `marker` starts a line (followed by a space or the line's end) at or after `from`; -1 when nowhere. */
function markerAt(text: Buffer, marker: string, from: number): number {
  for (let at = text.indexOf(marker, from, 'latin1'); at !== -1; at = text.indexOf(marker, at + 1, 'latin1')) {
    const after = text[at + marker.length];
    if ((at === 0 || text[at - 1] === 0x0a) && (after === undefined || after === 0x20 || after === 0x0a || after === 0x0d)) return at;
  }
  return -1;
}

/** Throws the "conflict markers" problem for a patch text that holds them (reported under its path). */
export function refuseConflictMarkers(text: Buffer): void {
  const line = conflictMarkerLine(text);
  if (line === null) return;
  throw new FlagpatchError(
    `holds conflict markers at line ${line} (a merge, rebase or cherry-pick merged the patch file as text)`,
    `regenerate it on that commit: npx --no-install flagpatch refresh --amend (an older commit: git rebase -x 'npx --no-install flagpatch refresh --amend' <its parent>)`,
  );
}

/** The diffstat and diff of a one-message patch: what follows the `---` line, up to the signature. */
export function statAndDiffOf(text: Buffer): Buffer | null {
  const sep = text.indexOf(SEPARATOR);
  if (sep === -1) return null;
  const rest = text.subarray(sep + SEPARATOR.length);
  return rest.subarray(rest.length - SIGNATURE.length).equals(SIGNATURE) ? rest.subarray(0, rest.length - SIGNATURE.length) : rest;
}

/**
 * Why `text` is not exactly the patch flagpatch generates from `base` to `tree` now, or null
 * when its diffstat and diff are byte-identical to it.
 */
export async function inexactProblem(git: Git, cfg: Config, base: string, tree: string, text: Buffer): Promise<string | null> {
  const now = (await git.run(['diff-tree', ...PATCH_DIFF_FLAGS, base, tree, '--', ...vendorPathspecs(cfg)])).stdout;
  const stored = statAndDiffOf(text);
  if (stored && stored.equals(now)) return null;
  return 'stale: its diffstat or diff text differs from what flagpatch generates for this commit (fresh means byte-identical apart from the message)';
}
