// `flagpatch hook install` (a fork's `prepare` script, and `flagpatch init`): wires this clone.
// Everything here is per clone (git never clones config or .git/info), so it is written
// again by every `npm install`; nothing of it is a file of the fork, so none of it can end
// up in the patch sent upstream.
//   core.hooksPath = hooks      the tracked hook scripts: present in every work tree and after
//                               `git clean -fdx`, unlike an ignored generated folder
//   merge.flagpatch.driver      `true`: a patch file changed on both sides keeps this side's
//                               version and never conflicts; the hooks then regenerate the
//                               fork's own patch from the merged code
//   .git/info/attributes        <patchDir>/** merge=flagpatch, <heteroFile> merge=union
//   .git/info/exclude           node_modules and /build/ (not the fork's .gitignore, a base file)
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { DEFAULTS } from '../config-keys.js';
import { FlagpatchError } from '../errors.js';
import { Git } from '../git.js';
import { HOOKS_DIR } from '../layout.js';
import { diskSource } from '../source.js';
import { writeFileAtomic } from '../tmp.js';
import { skipped } from './pre-commit.js';

export interface InstallResult {
  /** Why nothing was done (HUSKY=0, not a git work tree...). */
  skipped?: string;
  /** What was set or written now; empty when the clone was already wired. */
  changed: string[];
}

/** The scripts of hooks/ that init copies into a fork (the others are its own). */
export const HOOK_FILES = ['pre-commit', 'pre-merge-commit', 'post-merge', 'post-commit', 'post-rewrite', 'pre-rebase', 'pre-push'];
export const MERGE_DRIVER = 'flagpatch';
const BEGIN = '# >>> flagpatch hook install: derived files never conflict';
const END = '# <<< flagpatch';
const IGNORED = ['node_modules', '/build/'];

export async function installHooks(opts: { cwd?: string; env?: NodeJS.ProcessEnv | Record<string, string | undefined> } = {}): Promise<InstallResult> {
  const env = opts.env ?? process.env;
  if (skipped(env)) return { skipped: 'FLAGPATCH_SKIP=1 or HUSKY=0', changed: [] };
  let git: Git;
  try {
    git = await Git.open(opts.cwd ?? process.cwd(), env);
  } catch (e) {
    // An installer must never break `npm install` (e.g. of a tarball outside any repository).
    if (e instanceof FlagpatchError) return { skipped: 'not inside a git work tree', changed: [] };
    throw e;
  }
  let cfg: { patchDir: string; heteroFile: string } = DEFAULTS;
  try {
    // The work tree's: what this clone has checked out is what its merges and hooks meet.
    cfg = await loadConfig(diskSource(git.top));
  } catch {
    // A broken config is reported by the commands that need it; the defaults still wire merges.
  }
  const changed: string[] = [];
  const want: [string, string][] = [
    ['core.hooksPath', HOOKS_DIR],
    [`merge.${MERGE_DRIVER}.name`, "flagpatch: keep this side's patch; the hooks regenerate the fork's own"],
    [`merge.${MERGE_DRIVER}.driver`, 'true'],
  ];
  const have = await git.run(['config', '--local', '--get-regexp', '^(core\\.hookspath|merge\\.flagpatch\\.)'], { ok: [1] });
  const current = new Map(
    have.stdout
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(' ')).toLowerCase(), l.slice(l.indexOf(' ') + 1)] as const),
  );
  for (const [key, value] of want) {
    if (current.get(key.toLowerCase()) === value) continue;
    await git.run(['config', '--local', key, value], { waitForLock: true });
    changed.push(`${key}=${value}`);
  }
  const [attributes, exclude] = (await git.text(['rev-parse', '--git-path', 'info/attributes', '--git-path', 'info/exclude'])).split('\n').map((p) => path.resolve(git.top, p));
  const block = [BEGIN, `/${cfg.patchDir}/** merge=${MERGE_DRIVER}`, `/${cfg.heteroFile} merge=union`, END];
  if (replaceBlock(attributes, block)) changed.push(path.relative(git.top, attributes));
  if (appendMissing(exclude, IGNORED)) changed.push(path.relative(git.top, exclude));
  return { changed };
}

/** Writes `block` into `file` in place of an earlier one; false when it is already there. */
function replaceBlock(file: string, block: string[]): boolean {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  const start = lines.indexOf(BEGIN);
  const stop = start === -1 ? -1 : lines.indexOf(END, start);
  const kept = start === -1 || stop === -1 ? lines : [...lines.slice(0, start), ...lines.slice(stop + 1)];
  const body = kept.join('\n').replace(/\n*$/, '');
  const out = `${body ? `${body}\n` : ''}${block.join('\n')}\n`;
  if (out === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, out);
  return true;
}

function appendMissing(file: string, wanted: string[]): boolean {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const have = new Set(text.split('\n').map((l) => l.trim()));
  const missing = wanted.filter((l) => !have.has(l));
  if (!missing.length) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
  return true;
}
