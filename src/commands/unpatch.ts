// `flagpatch unpatch`: the adapted code back as a clean tree.
// With --dir, each device gets DIR/<DEV>/<name>: a fresh repository built in a hidden sibling
// folder and renamed into place only when complete, so a failure leaves no half-built tree
// and the source repository gains nothing (not even objects). Without --dir, a new branch
// in place, refused on a dirty work tree.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { devicesOf, openContext, type CommonOptions } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import type { Env, Git } from '../git.js';
import { listsTogether, readHetero } from '../hetero.js';
import { patchPath } from '../layout.js';
import { OID } from '../oid.js';
import { LIMITS, mib } from '../limits.js';
import { applyMessage } from '../patch/apply.js';
import { parsePatch, type PatchMessage } from '../patch/parse.js';
import { checkPatchRules } from '../patch/rules.js';
import { diskSource } from '../source.js';
import { baseOf } from '../store.js';
import { onInterrupt, settled } from '../lifecycle.js';
import { removeLeftovers, removeTree, withWorkspace } from '../tmp.js';

export interface UnpatchOptions extends CommonOptions {
  deviceTypes?: string[];
  /** The patch folder name, or a unique prefix of the base. */
  commitId?: string;
  dir?: string;
  force?: boolean;
  /** Called before each long step (the CLI shows it on a terminal). */
  onProgress?: (message: string) => void;
}

export interface MaterializedTree {
  device: string;
  path: string;
  branch: string;
  head: string;
}

export interface UnpatchResult {
  id: string;
  base: string;
  /** With --dir: one tree per device. */
  trees: MaterializedTree[];
  /** Without --dir: the branch created and checked out in place. */
  branch?: string;
  head?: string;
}

/** Name of the file in a materialized repository's .git that says flagpatch made it. */
export const MARKER = 'flagpatch-tree.json';

export async function unpatch(opts: UnpatchOptions): Promise<UnpatchResult> {
  // unpatch reads the work tree's patch files, hetero.txt and config, like the original tool
  // (a patch file dropped in by hand can be materialized); every patch is checked as check does.
  const { git, cfg } = await openContext(opts, 'work tree');
  const devices = devicesOf(opts.deviceTypes, cfg);
  const given = opts.commitId ?? cfg.baseCommit;
  if (!given) throw new UsageError('--commit-id is required', 'pass --commit-id <ID> (the patch folder name, e.g. aaaaaa), or set "baseCommit" in .flagpatchrc.json');
  if (!/^[0-9A-Za-z_]+$/.test(given)) throw new UsageError(`--commit-id ${JSON.stringify(given)} is not a patch ID`, 'pass the patch folder name (e.g. aaaaaa) or a prefix of the base commit');
  if (devices.length > 1 && !opts.dir) throw new UsageError('several devices need --dir', 'pass --dir build to materialize one tree per device');

  const ids = new Set<string>();
  for (const d of devices) ids.add(await resolveId(git, cfg, d, given));
  if (ids.size > 1) throw new RefusedError(`--commit-id ${given} names different patches for these devices (${[...ids].join(', ')})`, 'pass the full patch folder name');
  const id = [...ids][0];

  if (devices.length > 1) {
    const hetero = await readHetero(diskSource(git.top), cfg);
    if (hetero.problems.length) {
      const p = hetero.problems[0];
      throw new RefusedError(p.message, p.fix, `${cfg.heteroFile}:${p.line}`);
    }
    if (!listsTogether(hetero, id, devices)) {
      throw new RefusedError(
        `${cfg.heteroFile} does not list ${devices.join(' ')} together at ${id}: they were not adapted to train together`,
        `pick devices from one line of ${cfg.heteroFile}, or materialize each alone`,
      );
    }
  }

  const patches: { device: string; label: string; messages: PatchMessage[]; base: string }[] = [];
  for (const device of devices) {
    const label = patchPath(cfg, device, id);
    const [bytes] = await diskSource(git.top).read([label], LIMITS.patchBytes);
    if (bytes === 'too-large') throw new RefusedError(`is larger than ${mib(LIMITS.patchBytes)}, the limit for a patch file`, 'ask its vendor for a smaller patch', label);
    if (bytes === null || bytes === 'not-a-file') throw new RefusedError(bytes === null ? 'does not exist' : 'is not a regular file', 'restore it from git (git checkout -- <file>)', label);
    const messages = parsePatch(bytes, label);
    checkPatchRules(messages, cfg, { device, id, path: label });
    patches.push({ device, label, messages, base: await baseOf(git, id, messages, label) });
  }
  const base = patches[0].base;
  if (patches.some((p) => p.base !== base)) throw new RefusedError(`the patches at ${id} name different bases`, 'regenerate them with flagpatch patch');

  if (!opts.dir) return { id, base, trees: [], ...(await unpatchInPlace(git, patches[0], id)) };
  return { id, base, trees: await materializeAll(git, cfg, opts, patches, id) };
}

/** The patch folder `given` names for `device`: the folder itself, or a unique base prefix. */
async function resolveId(git: Git, cfg: Config, device: string, given: string): Promise<string> {
  const dir = path.join(git.top, cfg.patchDir, device);
  let folders: string[] = [];
  try {
    folders = fs.readdirSync(dir).filter((f) => fs.existsSync(path.join(dir, f, `${f}.patch`)));
  } catch {
    folders = [];
  }
  if (folders.includes(given)) return given;
  const matches: string[] = [];
  const wanted = given.toLowerCase();
  for (const f of folders) {
    if (f.startsWith(wanted)) matches.push(f);
    else if (wanted.startsWith(f)) {
      const trailer = new RegExp(`^Flagpatch-Base:\\s*(${OID})\\s*$`, 'm').exec(readText(path.join(dir, f, `${f}.patch`)) ?? '')?.[1];
      const full = trailer ?? (await git.commit(f));
      if (full?.startsWith(wanted)) matches.push(f);
    }
  }
  if (matches.length === 1) return matches[0];
  const available = folders.length ? `${device} has patches at: ${folders.sort().join(', ')}` : `${device} has no patch under ${cfg.patchDir}/${device}/`;
  if (matches.length === 0)
    throw new RefusedError(
      `no ${device} patch for --commit-id ${given}`,
      folders.length ? `${available}; pass one of them` : `${available}: check --device-type, or make the patch first (flagpatch patch)`,
    );
  throw new RefusedError(`--commit-id ${given} is ambiguous for ${device}: ${matches.sort().join(', ')}`, 'pass more digits of the base commit');
}

/** Applies the messages on `base` in the index named by `git`, committing each; returns the head. */
async function commitPatch(git: Git, base: string, patch: { label: string; messages: PatchMessage[] }): Promise<string> {
  await git.readTree(base);
  // Only for messages without a date (a process saved on every patch flagpatch made).
  let fallback: Promise<string> | undefined;
  const fallbackDate = () => (fallback ??= git.show(base, '%aD'));
  let head = base;
  for (const [n, m] of patch.messages.entries()) {
    await applyMessage(git, m, patch.label, base, patch.messages.length > 1 ? n + 1 : 0);
    const tree = await git.writeTree();
    // Committer = author, dates included: the same patch gives the same commit ids.
    const who: Env = {
      GIT_AUTHOR_NAME: m.author?.name || 'flagpatch',
      GIT_AUTHOR_EMAIL: m.author?.email || 'flagpatch@localhost',
      GIT_AUTHOR_DATE: m.date && MAIL_DATE.test(m.date) ? m.date : await fallbackDate(),
    };
    who.GIT_COMMITTER_NAME = who.GIT_AUTHOR_NAME;
    who.GIT_COMMITTER_EMAIL = who.GIT_AUTHOR_EMAIL;
    who.GIT_COMMITTER_DATE = who.GIT_AUTHOR_DATE;
    const message = `${m.subject || path.basename(patch.label)}${m.body ? `\n\n${m.body}` : ''}\n`;
    head = await git.commitTree(tree, [head], message, who);
  }
  return head;
}

/**
 * Marks the tree being built in `tmp` as flagpatch's: the commit it made, and the final place
 * of the tree (`target`), so a marker copied into another folder proves nothing.
 */
export function writeMarker(tmp: string, target: string, record: { head: string; branch: string } & Record<string, unknown>): void {
  const finalPath = path.join(realpathOfExisting(path.dirname(target)), path.basename(target));
  fs.writeFileSync(path.join(tmp, '.git', MARKER), `${JSON.stringify({ ...record, path: finalPath }, null, 2)}\n`);
}

/** Moves a finished tree from its hidden sibling `tmp` to `target`, replacing what was there. */
export function swapIntoPlace(tmp: string, target: string): void {
  if (!fs.existsSync(target)) return fs.renameSync(tmp, target);
  const old = `${tmp}-old`;
  fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * A materialized tree holds exactly the committed bytes, and nothing from the patch runs while
 * it is written: the repository's own attributes (which outrank the tree's .gitattributes and
 * the user's global ones) turn off filters (e.g. an LFS smudge a patch could ask for), end-of-
 * line conversion, ident expansion and encodings.
 */
export function writeNoFilterAttributes(repoTop: string): void {
  const file = path.join(repoTop, '.git', 'info', 'attributes');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '# flagpatch: files exactly as committed; no filter, eol or encoding from the tree\n* -filter -text -eol -ident -working-tree-encoding\n');
}

/** format-patch's date (`Thu, 7 Apr 2005 15:13:13 -0700`); anything else is not handed to git. */
const MAIL_DATE = /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

function branchName(device: string, id: string): string {
  return `${device}-${id}`;
}

async function unpatchInPlace(git: Git, patch: { device: string; label: string; messages: PatchMessage[]; base: string }, id: string): Promise<{ branch: string; head: string }> {
  const dirty = (await git.changedPaths(false)) ?? [];
  if (dirty.length) {
    throw new RefusedError(
      `the work tree has uncommitted changes (${listed(dirty)}); unpatch without --dir checks out a new branch here`,
      'commit or stash them first, or pass --dir build to materialize elsewhere',
    );
  }
  const branch = branchName(patch.device, id);
  if (await git.commit(`refs/heads/${branch}`)) throw new RefusedError(`branch ${branch} already exists`, `switch to it (git switch ${branch}), or delete it first (git branch -D ${branch})`);
  const head = await withWorkspace((dir) => commitPatch(git.with({ GIT_INDEX_FILE: path.join(dir, 'index') }), patch.base, patch));
  const inTheWay = await untrackedInTheWay(git, head);
  if (inTheWay.length) {
    throw new RefusedError(
      `checking out ${branch} would overwrite or remove files git does not track here (${listed(inTheWay)}); ignored files such as checkpoints count`,
      'move them out of the way first, or pass --dir build to materialize elsewhere',
    );
  }
  await git.updateRef(`refs/heads/${branch}`, head, { old: '', message: 'flagpatch unpatch' });
  const r = await git.run(['checkout', '--quiet', branch], { ok: [1, 128] });
  if (r.code !== 0) {
    await git.deleteRefs([{ name: `refs/heads/${branch}`, old: head }]);
    throw new RefusedError(`cannot check out ${branch}: ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`, 'move the files git names out of the way, or pass --dir build');
  }
  return { branch, head };
}

/**
 * Untracked and ignored files a checkout of `target` would overwrite or remove (git checkout
 * replaces ignored files without a word): at a path the checkout changes, or where it needs a
 * folder. The work tree is clean, so tracked files are safe.
 */
async function untrackedInTheWay(git: Git, target: string): Promise<string[]> {
  const changed = await git.pathsChanged('HEAD', target);
  const folders = new Set<string>();
  for (const p of changed) for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) folders.add(p.slice(0, i));
  const tracked = new Set((await git.lsTree('HEAD', [...changed, ...folders], true)).map((e) => e.path));
  const found: string[] = [];
  const walk = (rel: string) => {
    const st = lstatOrNull(path.join(git.top, rel));
    if (!st) return;
    if (!st.isDirectory()) {
      if (!tracked.has(rel)) found.push(rel);
      return;
    }
    for (const name of fs.readdirSync(path.join(git.top, rel))) if (found.length < 20) walk(`${rel}/${name}`);
  };
  for (const p of changed) walk(p);
  for (const f of folders) {
    const st = lstatOrNull(path.join(git.top, f));
    if (st && !st.isDirectory() && !tracked.has(f)) found.push(f);
  }
  return [...new Set(found)].sort();
}

async function materializeAll(
  git: Git,
  cfg: Config,
  opts: UnpatchOptions,
  patches: { device: string; label: string; messages: PatchMessage[]; base: string }[],
  id: string,
): Promise<MaterializedTree[]> {
  const root = path.resolve(opts.cwd ?? process.cwd(), opts.dir!);
  if (path.parse(root).root === root) throw new UsageError(`--dir ${opts.dir} is the root of the file system`, 'pass a folder of its own, e.g. --dir build');
  const targets = patches.map((p) => path.join(root, p.device, cfg.name));
  // Refuse before building anything.
  const top = fs.realpathSync(git.top);
  const gitDirs = [git.gitDir, path.dirname(git.objectsDir)].map((d) => fs.realpathSync(d));
  const realRoot = realpathOfExisting(root);
  if (gitDirs.some((d) => realRoot === d || isInside(d, realRoot))) {
    throw new UsageError(`--dir ${opts.dir} is inside the repository's .git folder`, 'pass a folder of its own, e.g. --dir build');
  }
  for (const target of targets) {
    const real = realpathOfExisting(target);
    if (real === top || isInside(real, top)) {
      throw new RefusedError(`${target} would replace the repository itself`, 'pass a --dir outside of the repository, or one of its ignored folders such as build');
    }
  }
  for (const target of targets) await checkReplaceable(git, target, opts.force ?? false);

  const built: { tmp: string; target: string; result: MaterializedTree }[] = [];
  const createdDirs: string[] = [];
  const cleanup = () => {
    for (const b of built) removeTree(b.tmp);
    for (const d of [...createdDirs].reverse()) {
      try {
        fs.rmdirSync(d); // only when still empty: something else may have been put there
      } catch {
        // not empty, or gone
      }
    }
  };
  const release = onInterrupt(cleanup);
  try {
    for (const [i, p] of patches.entries()) {
      const target = targets[i];
      for (const d of [root, path.dirname(target)]) {
        if (!fs.existsSync(d)) {
          fs.mkdirSync(d, { recursive: true });
          createdDirs.push(d);
        }
      }
      removeLeftovers(path.dirname(target), `.${path.basename(target)}.flagpatch-`); // hidden folders of killed runs
      const tmp = `${path.join(path.dirname(target), `.${cfg.name}.flagpatch-${process.pid}-`)}${Math.random().toString(36).slice(2, 8)}`;
      built.push({ tmp, target, result: { device: p.device, path: target, branch: branchName(p.device, id), head: '' } });
      opts.onProgress?.(`${p.device}: cloning ${git.top} into ${target}`);
      await git.elsewhere(git.top).run(['clone', '--quiet', '--local', '--no-checkout', '--no-tags', '--', git.top, tmp]);
      const repo = git.elsewhere(tmp);
      opts.onProgress?.(`${p.device}: applying ${p.label} on ${p.base.slice(0, 12)}`);
      const head = await commitPatch(repo, p.base, p);
      const branch = branchName(p.device, id);
      // One pass writes the files, the index with their stat data, the branch and HEAD, with
      // git's parallel checkout (a worker per core).
      opts.onProgress?.(`${p.device}: writing files`);
      writeNoFilterAttributes(tmp);
      await repo.run(['-c', 'core.autocrlf=false', '-c', 'checkout.workers=0', '-c', 'core.hooksPath=/dev/null', 'checkout', '--quiet', '--force', '--no-track', '-B', branch, head]);
      await repo.run(['remote', 'remove', 'origin']);
      await repo.deleteRefs((await repo.refs()).filter((r) => r.name !== `refs/heads/${branch}`));
      writeMarker(tmp, target, { device: p.device, id, base: p.base, head, branch });
      built[built.length - 1].result.head = head;
    }
    // Everything built: swap each tree into place.
    for (const b of built) {
      swapIntoPlace(b.tmp, b.target);
    }
    return built.map((b) => b.result);
  } catch (e) {
    await settled(); // a clone still running could recreate what cleanup removes
    cleanup();
    throw e;
  } finally {
    release();
  }
}

/**
 * An existing target may be replaced (without --force) only when it really is a tree flagpatch
 * made and it holds nothing of the user's. It is flagpatch's when it is a git repository of its
 * own (its own .git folder, not a link or a gitfile) whose marker names this very folder and
 * whose HEAD is the commit flagpatch recorded: a marker copied elsewhere proves nothing. It holds
 * something of the user's when it has another commit, branch, tag or stash, a changed,
 * untracked or ignored file (checkpoints and outputs under a .gitignored folder count).
 */
export async function checkReplaceable(git: Git, target: string, force: boolean): Promise<void> {
  if (!fs.existsSync(target) || force) return;
  const notOurs = (why: string) => new RefusedError(`${target} exists and is not a tree flagpatch made (${why})`, 'move it away, pick another --dir, or pass --force to replace it');
  const dotGit = path.join(target, '.git');
  const st = lstatOrNull(dotGit);
  if (!st?.isDirectory()) throw notOurs('it has no .git folder of its own');
  let marker: { head?: unknown; path?: unknown; branch?: unknown } = {};
  try {
    marker = JSON.parse(fs.readFileSync(path.join(dotGit, MARKER), 'utf8'));
  } catch {
    throw notOurs(`no readable .git/${MARKER}`);
  }
  const real = fs.realpathSync(target);
  if (marker.path !== real) throw notOurs(`its marker names ${JSON.stringify(marker.path)}`);
  const repo = git.elsewhere(target);
  const top = await repo.run(['rev-parse', '--show-toplevel', '--absolute-git-dir'], { ok: [128] });
  const [repoTop, repoGitDir] = top.stdout.toString('utf8').trim().split('\n');
  if (top.code !== 0 || repoTop !== real || repoGitDir !== fs.realpathSync(dotGit)) throw notOurs('it is not a git repository of its own');
  const head = await repo.commit('HEAD');
  const lost: string[] = [];
  if (head !== marker.head) lost.push(`HEAD is ${head ? head.slice(0, 12) : 'no commit'}, not the commit flagpatch made (${String(marker.head).slice(0, 12)}): new commits`);
  const refs = (await repo.refs()).map((r) => `${r.name} ${r.sha}`);
  for (const r of refs) if (r !== `refs/heads/${marker.branch} ${marker.head}`) lost.push(`the ref ${r.split(' ')[0]}`);
  for (const w of (await repo.worktrees()).slice(1)) lost.push(`the linked worktree ${w}`);
  for (const e of await repo.statusEntries(true)) lost.push(`${e.kind} file ${e.path}`);
  if (lost.length) {
    const shown = lost.slice(0, 10).join('; ') + (lost.length > 10 ? `; and ${lost.length - 10} more` : '');
    throw new RefusedError(`${target} holds work that replacing it would lose: ${shown}`, 'save what you need (commit and push it, or copy it out), then rerun; or pass --force to replace the tree');
  }
}

/** Up to five paths, then how many more. */
function listed(paths: readonly string[]): string {
  return `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''}`;
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** `p` with symlinks resolved in the part of it that exists. */
export function realpathOfExisting(p: string): string {
  let head = p;
  const rest: string[] = [];
  while (!fs.existsSync(head) && path.dirname(head) !== head) {
    rest.unshift(path.basename(head));
    head = path.dirname(head);
  }
  return path.join(fs.realpathSync(head), ...rest);
}

/** The start of a file (its headers and trailers), never more than LIMITS.headerLineBytes. */
function readText(file: string): string | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(LIMITS.headerLineBytes);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
