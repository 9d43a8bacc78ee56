// What every command starts from: the repository, the config of the commit (or index) it
// judges, and the devices and revisions named on the command line (or in the config).
import { loadConfig, type Config } from './config.js';
import { UsageError } from './errors.js';
import { Git, type Env } from './git.js';
import { checkDevice } from './layout.js';
import { isOid } from './oid.js';
import { diskSource, indexSource, treeSource, type FileSource } from './source.js';

export interface Context {
  git: Git;
  cfg: Config;
  /** Where the config (and hetero.txt) of this run are read from. */
  source: FileSource;
}

export interface CommonOptions {
  /** Where to run; the repository is the one holding this folder (default: process.cwd()). */
  cwd?: string;
  /** Environment for git (default: process.env); GIT_INDEX_FILE and friends are honoured. */
  env?: Env;
  /**
   * Stops the call early when aborted: no further git process starts, running ones are waited
   * for, temporary files are removed, and the call rejects with AbortedError. The library
   * never listens to process signals itself; the CLI aborts this on Ctrl-C and SIGTERM.
   */
  signal?: AbortSignal;
}

/**
 * Which config applies: a commit's (check, status, patch: the commit judged), the index's (the
 * pre-commit refresh: what is being committed), or the work tree's (init and unpatch, which
 * read the work tree's files like the original tool).
 */
export type ConfigFrom = { rev: string; flag?: string } | 'index' | 'work tree';

export async function openRepo(opts: CommonOptions): Promise<Git> {
  return Git.open(opts.cwd ?? process.cwd(), opts.env ?? process.env, opts.signal);
}

export async function openContext(opts: CommonOptions, from: ConfigFrom = { rev: 'HEAD' }): Promise<Context> {
  const git = await openRepo(opts);
  const source = await sourceOf(git, from);
  return { git, cfg: await loadConfig(source), source };
}

/** The files `from` names; a commit that does not exist yet (unborn HEAD) reads as empty. */
export async function sourceOf(git: Git, from: ConfigFrom): Promise<FileSource> {
  if (from === 'index') return indexSource(git);
  if (from === 'work tree') return diskSource(git.top);
  if (from.rev === 'HEAD' && !(await git.resolve('HEAD'))) {
    return { label: 'HEAD (no commit yet)', folderName: diskSource(git.top).folderName, read: async (files) => files.map(() => null) };
  }
  const found = await revisionOf(git, from.rev, from.flag ?? 'REV');
  return treeSource(git, found.tree, `${from.rev} (${found.commit.slice(0, 12)})`);
}

/** The devices given, or the configured one; each name validated. */
export function devicesOf(given: readonly string[] | undefined, cfg: Config): string[] {
  if (given && given.length) {
    const devices = given.map(checkDevice);
    const dup = devices.find((d, i) => devices.indexOf(d) !== i);
    if (dup) throw new UsageError(`device ${dup} is named twice`, 'name each device once');
    return devices;
  }
  if (cfg.deviceType) return [cfg.deviceType];
  throw new UsageError('no device type given and none configured', 'pass --device-type A_X100, or set "deviceType" in .flagpatchrc.json');
}

/** The commit and tree `rev` names (one git process); a usage error when it names none. */
export async function revisionOf(git: Git, rev: string | undefined, flag: string): Promise<{ commit: string; tree: string }> {
  if (!rev) throw new UsageError(`${flag} is required`, `pass ${flag} <commit>, or set "baseCommit" in .flagpatchrc.json`);
  if (rev.startsWith('-')) throw new UsageError(`${flag}: ${JSON.stringify(rev)} is not a revision`, `pass ${flag} <commit>`);
  const found = await git.resolve(rev);
  if (!found) {
    const shallow = await git.isShallow();
    throw new UsageError(
      `${flag}: ${JSON.stringify(rev)} names no commit in this repository${shallow ? ' (a shallow clone: its history is cut short)' : ''}`,
      shallow && isOid(rev) ? await fetchFix(git, rev) : 'check the id, or fetch the upstream history that holds it (git fetch upstream)',
    );
  }
  return found;
}

/**
 * How to get a missing commit into a shallow clone: fetching it by id, one commit deep (a
 * plain `git fetch` does not deepen history, and an abbreviated id cannot be fetched).
 */
export async function fetchFix(git: Git, sha: string): Promise<string> {
  const remotes = await git.remotes();
  const remote = remotes.includes('origin') ? 'origin' : (remotes[0] ?? '<remote>');
  return isOid(sha) ? `git fetch --depth=1 ${remote} ${sha}` : `git fetch --unshallow ${remote}`;
}
