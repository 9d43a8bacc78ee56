// `flagpatch refresh` (what the pre-commit hook runs): regenerates the configured device's
// patch from the base to exactly the tree in the index git is committing, and stages it there.
//
// The index is input: git points GIT_INDEX_FILE at .git/index (plain commit, --amend),
// .git/index.lock (commit -a) or .git/next-index-<pid>.lock (commit <paths>). In the last
// case .git/index.lock is the index git keeps after the commit, so the patch is staged there
// too. The config is read from that same index, never the work tree: an unstaged edit of it
// does not change what the commit means. Only the patch file is written in the work tree
// (never through a symlink); other files, staged or not, are never read from or written to it.
import fs from 'node:fs';
import path from 'node:path';
import { openContext, revisionOf, type CommonOptions, type Context } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import type { Env, Git } from '../git.js';
import { patchId, patchPath } from '../layout.js';
import { authorFromIdent, type MessageInfo } from '../patch/format.js';
import { blobId as blobIdOf, writeLooseBlob } from '../objects.js';
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
  // init writes the full sha, so the patch path is known before git confirms the base, and the
  // diff can start at once: git resolves the same sha (a sha that names a tag, not a commit,
  // is caught below and done again). The staged patch and the base are read meanwhile by the
  // batch reader (one process answers every object read of the run).
  const knownId = isOid(cfg.baseCommit) ? cfg.baseCommit.slice(0, cfg.idLength) : null;
  const early = knownId ? stagedPatch(git, patchPath(cfg, device, knownId)) : null;
  early?.catch(() => {}); // awaited below when used; never an unhandled rejection
  const worktreeFile = (file: string) => path.join(git.top, file);
  const indexes = indexesToUpdate(git, env);
  const make = (base: string, baseTree: string, file: string, staged: ReturnType<typeof stagedPatch>) => {
    const info = staged.then((s) => messageOf(git, s, { base, device, name: cfg.name, file }));
    return withWorkspace((dir) => makePatch(git, dir, cfg, { base, baseTree, info, label: file }));
  };
  const guess = knownId && early ? make(cfg.baseCommit, `${cfg.baseCommit}^{tree}`, patchPath(cfg, device, knownId), early) : null;
  guess?.catch(() => {}); // used only when the base is what it guessed
  let resolved;
  try {
    resolved = await revisionOf(git, cfg.baseCommit, 'baseCommit');
  } catch (e) {
    await guess?.catch(() => {}); // let it end before reporting
    throw e;
  }
  const { commit: base, tree: baseTree } = resolved;
  const file = patchPath(cfg, device, patchId(base, cfg));
  try {
    refuseSymlinks(git.top, file);
  } catch (e) {
    await guess?.catch(() => {});
    throw e;
  }
  const guessed = guess && base === cfg.baseCommit;
  if (guess && !guessed) await guess.catch(() => {});
  const staged = guessed ? early! : stagedPatch(git, file);
  const made = guessed ? await guess : await make(base, baseTree, file, staged);
  const current = await staged;

  if (!made) {
    if (!current) return { action: 'unchanged', patchPath: file };
    for (const index of indexes) await git.with({ GIT_INDEX_FILE: index }).stage(file, null);
    fs.rmSync(worktreeFile(file), { force: true });
    removeEmptyParents(path.dirname(worktreeFile(file)), git.top);
    return { action: 'removed', patchPath: file };
  }
  const stats = { files: made.files, insertions: made.insertions, deletions: made.deletions };
  if (current && !current.conflicted && current.sha === blobIdOf(made.mailbox, git.objectFormat)) {
    // Keep the work tree copy in step with the index (e.g. after a checkout of an old version).
    if (!sameFile(worktreeFile(file), made.mailbox)) writeFileAtomic(worktreeFile(file), made.mailbox);
    return { action: 'unchanged', patchPath: file, ...stats };
  }
  writeFileAtomic(worktreeFile(file), made.mailbox);
  // Written as a loose object here (no hash-object process), then staged with one update-index.
  const sha = writeLooseBlob(git.objectsDir, made.mailbox, git.objectFormat);
  for (const index of indexes) {
    await git.with({ GIT_INDEX_FILE: index }).stage(file, sha);
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

/**
 * The patch staged in the index being committed, read by the batch reader: stage 0, or — when a
 * merge, revert or pick stopped on the patch file itself (modify/delete: git gives merge drivers
 * no say there) — our side (stage 2) marked conflicted: writing the fresh patch resolves it.
 */
async function stagedPatch(git: Git, file: string): Promise<{ sha: string; data: Buffer | null; conflicted?: boolean } | null> {
  const o = await git.read(`:0:${file}`);
  if (o?.type === 'blob') return { sha: o.sha, data: o.data };
  const [base, ours, theirs] = await git.objects([1, 2, 3].map((n) => `:${n}:${file}`));
  if (!base && !ours && !theirs) return null;
  return { sha: ours?.sha ?? '', data: ours?.type === 'blob' ? ours.data : null, conflicted: true };
}

/**
 * The patch's message: kept from the staged patch when there is one, so commits that change
 * no vendor code leave the patch byte-identical; otherwise made from the committer's identity.
 */
export async function messageInfo(git: Git, staged: string | undefined, worktreeFile: string, p: { base: string; device: string; name: string; file: string }): Promise<MessageInfo> {
  if (!staged) return messageOf(git, null, p);
  // The work tree copy is the staged one nearly always; reading it saves a git read.
  let text: Buffer | null = fs.existsSync(worktreeFile) ? fs.readFileSync(worktreeFile) : null;
  if (!text || blobId(text, staged.length) !== staged) text = await git.blob(staged).catch(() => null);
  return messageOf(git, { data: text }, p);
}

/** `messageInfo` from the staged patch's bytes (null: none, or unreadable). */
async function messageOf(git: Git, staged: { data: Buffer | null } | null, p: { base: string; device: string; name: string; file: string }): Promise<MessageInfo> {
  if (staged?.data) {
    try {
      // Only the message and its first file diff are parsed: the rest is not needed here.
      const first = staged.data.indexOf('\ndiff --git ');
      const second = first === -1 ? -1 : staged.data.indexOf('\ndiff --git ', first + 1);
      const [m] = parsePatch(second === -1 ? staged.data : staged.data.subarray(0, second + 1), p.file);
      if (m.author && m.date && m.subject) return { author: { ...m.author, date: m.date }, subject: m.subject, base: p.base, device: p.device };
    } catch {
      // An unreadable patch is replaced by a fresh one.
    }
  }
  return { author: authorFromIdent(await git.authorIdent()), subject: `[${p.device}] Adapt ${p.name} to ${p.device}`, base: p.base, device: p.device };
}

/** The git object id of a blob (`hexLength` 40: SHA-1, 64: SHA-256), computed in process. */
export function blobId(content: Buffer, hexLength: number): string {
  return blobIdOf(content, hexLength === 64 ? 'sha256' : 'sha1');
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
