// Conflict markers anywhere in what a push publishes, not only at its tips: `check` judges a
// tip, but a rebase or merge earlier in the pushed range can have left markers in a patch file
// that a later commit replaced. One `git log` lists the patch blobs the new commits wrote, one
// `cat-file --batch` reads them.
import type { Config } from '../config.js';
import type { Git } from '../git.js';
import { conflictMarkerLine } from '../patch/fresh.js';

export interface MarkedPatch {
  commit: string;
  path: string;
  line: number;
}

/** Patch files with conflict markers written by commits reachable from `tips` but not from `known` or any remote-tracking ref. */
export async function conflictMarkersInRange(git: Git, cfg: Config, tips: readonly string[], known: readonly string[]): Promise<MarkedPatch[]> {
  if (tips.length === 0) return [];
  const out = (
    await git.run(['log', '-z', '-m', '--format=%x01%H', '--raw', '--no-abbrev', '--no-renames', '--diff-filter=AM', ...tips, '--not', ...known, '--remotes', '--', `:(top,literal)${cfg.patchDir}`])
  ).stdout.toString('utf8');
  const written: { commit: string; path: string; sha: string }[] = [];
  let commit = '';
  // Records: "\x01<sha>" then, NUL-separated, ":<modes> <old> <new> <status>" and "<path>".
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i].replace(/^\n+/, '');
    const at = f.lastIndexOf('\x01');
    if (at !== -1) {
      commit = f.slice(at + 1).trim();
      continue;
    }
    if (!f.startsWith(':')) continue;
    const sha = f.split(' ')[3];
    written.push({ commit, path: fields[++i], sha });
  }
  const unique = [...new Map(written.map((w) => [w.sha, w])).values()];
  const blobs = await git.objects(unique.map((w) => w.sha));
  const found: MarkedPatch[] = [];
  unique.forEach((w, i) => {
    const line = blobs[i] ? conflictMarkerLine(blobs[i]!.data) : null;
    if (line !== null) found.push({ commit: w.commit, path: w.path, line });
  });
  return found;
}
