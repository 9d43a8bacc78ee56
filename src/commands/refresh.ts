// `flagpatch refresh` (what the pre-commit hook runs): regenerates the configured device's
// patch from the base to exactly the tree in the index git is committing, and stages it there.
//
// The index is input: git points GIT_INDEX_FILE at .git/index (plain commit, --amend),
// .git/index.lock (commit -a) or .git/next-index-<pid>.lock (commit <paths>). In the last
// case .git/index.lock is the index git keeps after the commit, so the patch is staged there
// too. The config is read from that same index, never the work tree: an unstaged edit of it
// does not change what the commit means. Only the patch file is written in the work tree
// (never through a symlink); other files, staged or not, are never read from or written to it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openContext, revisionOf, type CommonOptions, type Context } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import type { Env, Git } from '../git.js';
import { patchId, patchPath } from '../layout.js';
import { authorFromIdent, type MessageInfo } from '../patch/format.js';
import { makePatch } from '../patch/make.js';
import { isOid } from '../oid.js';
import { parsePatch } from '../patch/parse.js';
import { withWorkspace, writeFileAtomic } from '../tmp.js';

export interface RefreshResult {
  /** skipped: no device configured; unchanged: the staged patch is already right. */
  action: 'skipped' | 'unchanged' | 'updated' | 'removed';
  patchPath?: string;
  files?: number;
  insertions?: number;
  deletions?: number;
}

export async function refresh(opts: CommonOptions = {}): Promise<RefreshResult> {
  return refreshIn(await openContext(opts, 'index'), opts.env ?? process.env);
}

/** The refresh in an opened context; `env` holds the hook's GIT_INDEX_FILE, if any. */
export async function refreshIn(ctx: Context, env: Env | NodeJS.ProcessEnv): Promise<RefreshResult> {
  const { git, cfg } = ctx;
  if (!cfg.deviceType) return { action: 'skipped' };
  const device = cfg.deviceType;
  if (!cfg.baseCommit) throw new UsageError('"deviceType" is set but "baseCommit" is not', 'run flagpatch init --device-type DEV --base-commit-id REV, or add "baseCommit"', cfg.file);
  // init writes the full sha, so the patch path is known before git confirms the base:
  // both lookups run at once.
  const knownId = isOid(cfg.baseCommit) ? cfg.baseCommit.slice(0, cfg.idLength) : null;
  const early = knownId ? stagedEntry(git, patchPath(cfg, device, knownId)) : null;
  early?.catch(() => {}); // awaited below when used; never an unhandled rejection
  const { commit: base, tree: baseTree } = await revisionOf(git, cfg.baseCommit, 'baseCommit');
  const file = patchPath(cfg, device, patchId(base, cfg));
  // (A tag's sha would name another commit: then the early lookup was for the wrong path.)
  const staged = early && knownId === patchId(base, cfg) ? early : stagedEntry(git, file);
  const worktreeFile = path.join(git.top, file);
  refuseSymlinks(git.top, file);
  const indexes = indexesToUpdate(git, env);
  // The diff starts now; the staged patch and its message are read meanwhile.
  const info = staged.then((s) => messageInfo(git, s?.sha, worktreeFile, { base, device, name: cfg.name, file }));
  const made = await withWorkspace((dir) => makePatch(git, dir, cfg, { base, baseTree, info, label: file }));
  const current = await staged;

  if (!made) {
    if (!current) return { action: 'unchanged', patchPath: file };
    for (const index of indexes) await git.with({ GIT_INDEX_FILE: index }).run(['update-index', '--force-remove', '--', file], { waitForLock: true });
    fs.rmSync(worktreeFile, { force: true });
    removeEmptyParents(path.dirname(worktreeFile), git.top);
    return { action: 'removed', patchPath: file };
  }
  const stats = { files: made.files, insertions: made.insertions, deletions: made.deletions };
  if (current && !current.conflicted && current.sha === blobId(made.mailbox, current.sha.length)) {
    // Keep the work tree copy in step with the index (e.g. after a checkout of an old version).
    if (!sameFile(worktreeFile, made.mailbox)) writeFileAtomic(worktreeFile, made.mailbox);
    return { action: 'unchanged', patchPath: file, ...stats };
  }
  writeFileAtomic(worktreeFile, made.mailbox);
  const sha = await git.hashObject(made.mailbox);
  for (const index of indexes) {
    await git.with({ GIT_INDEX_FILE: index }).run(['update-index', '--add', '--cacheinfo', `100644,${sha},${file}`], { waitForLock: true });
  }
  return { action: 'updated', patchPath: file, ...stats };
}

/** The index git commits from, and for `git commit <paths>` also the one it keeps afterwards. */
function indexesToUpdate(git: Git, env: Env): (string | undefined)[] {
  const given = env.GIT_INDEX_FILE;
  if (!given) return [undefined];
  const full = path.resolve(git.top, given);
  if (/^next-index-\d+\.lock$/.test(path.basename(full))) {
    const kept = path.join(path.dirname(full), 'index.lock');
    if (fs.existsSync(kept)) return [full, kept];
  }
  return [full];
}

async function stagedEntry(git: Git, file: string): Promise<{ sha: string; conflicted?: boolean } | null> {
  const out = await git.text(['ls-files', '-s', '--', `:(literal)${file}`]);
  const m = /^\d+ ([0-9a-f]+) 0\t/.exec(out);
  if (m) return { sha: m[1] };
  // A merge, revert or pick that stopped on the patch file itself (modify/delete: git gives
  // merge drivers no say there) leaves stages 1-3; writing the fresh patch resolves it.
  return out ? { sha: /^\d+ ([0-9a-f]+) 2\t/m.exec(out)?.[1] ?? '', conflicted: true } : null;
}

/**
 * The patch's message: kept from the staged patch when there is one, so commits that change
 * no vendor code leave the patch byte-identical; otherwise made from the committer's identity.
 */
export async function messageInfo(git: Git, staged: string | undefined, worktreeFile: string, p: { base: string; device: string; name: string; file: string }): Promise<MessageInfo> {
  if (staged) {
    try {
      // The work tree copy is the staged one nearly always; reading it saves a git process.
      let text: Buffer | null = fs.existsSync(worktreeFile) ? fs.readFileSync(worktreeFile) : null;
      if (!text || blobId(text, staged.length) !== staged) text = await git.blob(staged);
      const [m] = parsePatch(text, p.file);
      if (m.author && m.date && m.subject) return { author: { ...m.author, date: m.date }, subject: m.subject, base: p.base, device: p.device };
    } catch {
      // An unreadable patch is replaced by a fresh one.
    }
  }
  return { author: authorFromIdent(await git.authorIdent()), subject: `[${p.device}] Adapt ${p.name} to ${p.device}`, base: p.base, device: p.device };
}

/** The git object id of a blob, computed here rather than by another process. */
export function blobId(content: Buffer, hexLength: number): string {
  const h = crypto.createHash(hexLength === 64 ? 'sha256' : 'sha1');
  h.update(`blob ${content.length}\0`);
  h.update(content);
  return h.digest('hex');
}

function sameFile(file: string, content: Buffer): boolean {
  try {
    return fs.readFileSync(file).equals(content);
  } catch {
    return false;
  }
}

/**
 * The refresh writes only inside the work tree: a symlink on the patch's path (the patch
 * folder, a folder below it, or the file) could send the write anywhere, so it is refused.
 */
export function refuseSymlinks(top: string, file: string): void {
  const parts = file.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    let isLink = false;
    try {
      isLink = fs.lstatSync(path.join(top, rel)).isSymbolicLink();
    } catch {
      return; // the rest of the path does not exist yet: it is created as folders
    }
    if (isLink) {
      throw new RefusedError(
        `${rel} is a symlink; flagpatch writes the patch ${file} only inside the work tree`,
        `replace the symlink with a real folder (git rm ${rel}, then commit), or set "patchDir" to a folder of the repository`,
        rel,
      );
    }
  }
}

function removeEmptyParents(dir: string, top: string): void {
  for (let d = dir; d.startsWith(`${top}${path.sep}`); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
  }
}
