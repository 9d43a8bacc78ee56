// `flagpatch rebase --onto REV` in a fork: one merge commit (parents HEAD and REV), so vendor
// history is never rewritten. The vendor code is merged three-way on the configured base (as
// `git merge` would, the base being the merge base); the owned paths resolve themselves: the
// config names REV, the patch for REV is written fresh, the old base's patch stays (unless
// --drop-old), upstream's patches of other devices win, and hetero.txt keeps the lines of both.
//
// Vendor-code conflicts stop it like `git merge`: markers in the work tree, stages in the
// index, MERGE_HEAD and MERGE_MSG, so a plain `git commit` (whose pre-commit hook writes the
// patch for the configured base, REV by then) finishes it, as `--continue` does. A state file
// under the git dir, written before the first change to the work tree, lets `--continue` and
// `--abort` finish or undo a run that stopped or was interrupted; `--abort` puts back the
// index file as it was, byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { openContext, revisionOf } from '../context.js';
import { GitError, RefusedError, UsageError } from '../errors.js';
import type { Git } from '../git.js';
import { patchId, patchPath, vendorPathspecs } from '../layout.js';
import { threeWay, relabel, type ConflictedFile, type StageEntry } from '../patch/carry.js';
import { authorFromIdent, type MessageInfo } from '../patch/format.js';
import { makePatch } from '../patch/make.js';
import { parsePatch } from '../patch/parse.js';
import { withWorkspace, writeFileAtomic } from '../tmp.js';
import { editTree, type TreeEdit } from '../tree.js';
import { refreshIn } from './refresh.js';
import { checkNotOlder, infoFrom, markersLeft, stageConflicts, type RebaseOptions } from './rebase.js';

export interface RebasedFork {
  mode: 'fork';
  /**
   * merged: committed; conflicts: stopped for you to resolve; committed: `git commit` had
   * finished it; aborted; cleared: --abort found only a stale state (the merge was committed
   * or abandoned with git) and removed it; current: REV is the base already, nothing to do.
   */
  state: 'merged' | 'conflicts' | 'committed' | 'aborted' | 'cleared' | 'current';
  /** A stale state of an earlier rebase that was removed on the way, and why. */
  cleared?: string;
  device: string;
  /** The commit before the rebase, and REV. */
  head: string;
  onto: string;
  ontoName: string;
  /** The merge commit. */
  commit?: string;
  patchPath: string;
  oldPatchPath: string;
  droppedOld: boolean;
  configFile: string;
  /** Owned paths both sides changed, resolved without a conflict. */
  resolved: string[];
  conflicts: ConflictedFile[];
  files?: number;
  insertions?: number;
  deletions?: number;
}

interface State {
  version: 1;
  phase: 'applying' | 'stopping' | 'stopped';
  device: string;
  origHead: string;
  onto: string;
  ontoName: string;
  /** The tree the work tree and index get (with conflict markers when stopping). */
  tree: string;
  /** The merge commit, when there was no conflict. */
  commit?: string;
  stages: StageEntry[];
  conflicts: ConflictedFile[];
  labels: [string, string];
  message: string;
  patchPath: string;
  oldPatchPath: string;
  droppedOld: boolean;
  configFile: string;
  resolved: string[];
}

const STATE_DIR = 'flagpatch-rebase';

export async function rebaseFork(opts: RebaseOptions): Promise<RebasedFork> {
  const { git, cfg } = await openContext(opts);
  if (opts.continue) return continueFork(git, opts);
  if (opts.abort) return abortFork(git);
  if (!cfg.deviceType || !cfg.baseCommit || !cfg.file) {
    throw new UsageError(
      'rebase --onto REV alone carries a fork, but no "deviceType" and "baseCommit" are configured here',
      'run it in your fork (set up by flagpatch init), or carry a committed patch: flagpatch rebase --device-type DEV --commit-id ID --onto REV',
    );
  }
  if (!opts.onto) throw new UsageError('rebase needs --onto REV', 'pass the upstream commit to move to, e.g. --onto upstream/main');
  const earlier = readState(git);
  const cleared = earlier ? await clearIfStale(git, earlier) : undefined;
  if (earlier && !cleared)
    throw new RefusedError('a flagpatch rebase is in progress', 'finish it with npx --no-install flagpatch rebase --continue, or undo it with npx --no-install flagpatch rebase --abort');
  for (const [f, what] of [
    ['MERGE_HEAD', 'merge'],
    ['CHERRY_PICK_HEAD', 'cherry-pick'],
    ['REVERT_HEAD', 'revert'],
    ['rebase-merge', 'rebase'],
    ['rebase-apply', 'rebase'],
  ]) {
    if (fs.existsSync(path.join(git.gitDir, f))) throw new RefusedError(`a git ${what} is in progress`, `finish it or abort it (git ${what} --abort) first`);
  }
  const dirty = await git.text(['status', '--porcelain', '--untracked-files=no']);
  if (dirty) throw new RefusedError('the work tree has uncommitted changes; nothing was changed', 'commit or stash them, then run flagpatch rebase again');
  const [head, onto, base] = await Promise.all([revisionOf(git, 'HEAD', 'HEAD'), revisionOf(git, opts.onto, '--onto'), revisionOf(git, cfg.baseCommit, 'baseCommit')]);
  const device = cfg.deviceType;
  if (base.commit === onto.commit) return { ...emptyResult(device, head.commit, onto.commit, nameOf(opts.onto, onto.commit), cfg.file), state: 'current', cleared };
  await checkNotOlder(git, base.commit, onto.commit, opts.allowOlder ?? false);
  await checkUpstream(git, { head: head.commit, base: base.commit, onto: onto.commit, given: opts.onto });
  const oldPatchPath = patchPath(cfg, device, patchId(base.commit, cfg));
  const newPatchPath = patchPath(cfg, device, patchId(onto.commit, cfg));
  const configFile = cfg.file;
  const ontoName = nameOf(opts.onto, onto.commit);
  const labels: [string, string] = ['HEAD', ontoName];

  const [configBlob, oldPatch] = await git.objects([`${head.tree}:${configFile}`, `${head.tree}:${oldPatchPath}`]);
  if (!configBlob) throw new RefusedError(`${configFile} is not committed in HEAD`, 'commit your flagpatch config first');
  const config = withBaseCommit(configBlob.data.toString('utf8'), configFile, onto.commit);
  const info = oldPatch ? messageOf(oldPatch.data, onto.commit, device, oldPatchPath) : null;

  const state = await withWorkspace(async (ws): Promise<State> => {
    // Merged objects go to the repository, as `git merge` writes them: the merge commit needs them.
    let vendor = new Set<string>();
    const [o] = await threeWay(git, ws, base.tree, head.tree, [onto.tree], async (stages) => (vendor = await vendorOnly(git, ws, cfg, stages)));
    const conflicted = [...new Set(o.stages.map((e) => e.path))];
    const owned = conflicted.filter((p) => !vendor.has(p));
    const edits: TreeEdit[] = await resolveOwned(git, cfg, device, owned, o.stages);
    edits.push({ path: configFile, entry: { mode: '100644', sha: await git.hashObject(config) } });
    if (opts.dropOld) edits.push({ path: oldPatchPath, entry: null });
    const message = `Merge upstream ${ontoName === onto.commit.slice(0, 12) ? ontoName : `${ontoName} (${onto.commit.slice(0, 12)})`}\n\nflagpatch rebase: ${device}'s patch carried from ${patchId(base.commit, cfg)} to ${patchId(onto.commit, cfg)}.\n`;
    const common = {
      version: 1 as const,
      device,
      origHead: head.commit,
      onto: onto.commit,
      ontoName,
      labels,
      message,
      patchPath: newPatchPath,
      oldPatchPath,
      droppedOld: opts.dropOld ?? false,
      configFile,
      resolved: owned.sort(),
    };
    if (vendor.size === 0) {
      // The vendor code is merge-tree's (owned paths aside), so the patch is made from it
      // while the owned paths are settled: one tree edit for all.
      const made = await makePatch(git, ws, cfg, {
        base: onto.commit,
        baseTree: onto.tree,
        tree: o.tree,
        label: newPatchPath,
        info: info ?? defaultInfo(git, cfg, onto.commit, device),
      });
      const tree = await editTree(git, o.tree, [...edits, { path: newPatchPath, entry: made ? { mode: '100644', sha: await git.hashObject(made.mailbox) } : null }]);
      const commit = await git.text(['commit-tree', tree, '-p', head.commit, '-p', onto.commit, '-F', '-'], { input: message });
      return { ...common, phase: 'applying', tree, commit, stages: [], conflicts: [] };
    }
    // Stopped: the old patch is staged at the new path as a seed, so the refresh at commit
    // time (hook or --continue) keeps its message; its diff is rewritten then.
    const relabelled = await relabel(git, o, o.tree, ...labels);
    const seed: TreeEdit[] = oldPatch ? [{ path: newPatchPath, entry: { mode: '100644', sha: oldPatch.sha } }] : [];
    const tree = await editTree(git, o.tree, [
      ...edits,
      ...[...relabelled].filter(([p]) => vendor.has(p)).map(([p, sha]) => ({ path: p, entry: { mode: o.stages.find((e) => e.path === p && e.stage !== 1)?.mode ?? '100644', sha } })),
      ...seed,
    ]);
    const stages = o.stages.filter((e) => vendor.has(e.path));
    return { ...common, phase: 'stopping', tree, stages, conflicts: o.conflicts.filter((c) => vendor.has(c.path)) };
  });

  saveIndexBackup(git);
  writeState(git, state);
  const done = await (state.phase === 'applying' ? finishClean(git, state, false) : stop(git, state, false));
  return cleared ? { ...done, cleared } : done;
}

/** Moves index and work tree to the merge commit, then HEAD; `resume` after an interruption. */
async function finishClean(git: Git, s: State, resume: boolean): Promise<RebasedFork> {
  await moveWorkTree(git, s, s.commit!, resume);
  await git.run(['update-ref', '-m', `flagpatch rebase: ${s.message.split('\n')[0]}`, 'HEAD', s.commit!, s.origHead], { waitForLock: true });
  clearState(git);
  const made = await patchStats(git, s.commit!, s.patchPath);
  return { ...result(s, 'merged'), commit: s.commit, ...made };
}

/** Leaves the merge to resolve: markers in the work tree, stages in the index, MERGE_HEAD and MERGE_MSG. */
async function stop(git: Git, s: State, resume: boolean): Promise<RebasedFork> {
  await moveWorkTree(git, s, s.tree, resume);
  await stageConflicts(git, s.stages);
  writeFileAtomic(path.join(git.gitDir, 'MERGE_MSG'), s.message);
  writeFileAtomic(path.join(git.gitDir, 'MERGE_MODE'), '');
  writeFileAtomic(path.join(git.gitDir, 'MERGE_HEAD'), `${s.onto}\n`);
  writeState(git, { ...s, phase: 'stopped' });
  return result(s, 'conflicts');
}

async function moveWorkTree(git: Git, s: State, to: string, resume: boolean): Promise<void> {
  if (resume) {
    await git.run(['read-tree', '--reset', '-u', to], { waitForLock: true });
    return;
  }
  try {
    // read-tree trusts the index's file stats: refresh them first, as git merge does.
    await git.run(['update-index', '-q', '--refresh'], { ok: [1], waitForLock: true });
    await git.run(['read-tree', '-m', '-u', s.origHead, to], { waitForLock: true });
  } catch (e) {
    // read-tree checks everything before it writes: the work tree and index are unchanged.
    if (!(e instanceof GitError)) throw e;
    restoreIndex(git); // as it was, stats included
    clearState(git);
    const why = e.stderr
      .split('\n')
      .filter((l) => /^error: |^\t/.test(l))
      .map((l) => l.replace(/^error: /, '').trim());
    throw new RefusedError(
      `the merge cannot be written to the work tree: ${why.slice(0, 6).join(' ') || e.message}; nothing was changed`,
      'move those files away (or commit them), then run flagpatch rebase again',
    );
  }
}

async function continueFork(git: Git, opts: RebaseOptions): Promise<RebasedFork> {
  const s = readState(git);
  if (!s) throw new RefusedError('no flagpatch rebase is in progress', 'start one with npx --no-install flagpatch rebase --onto REV');
  const head0 = await revisionOf(git, 'HEAD', 'HEAD');
  if (s.commit && head0.commit === s.commit) {
    // Interrupted after HEAD moved to the merge commit: only the state was left to remove.
    clearState(git);
    return { ...result(s, 'merged'), commit: s.commit, ...(await patchStats(git, s.commit, s.patchPath)) };
  }
  const stale = await clearIfStale(git, s);
  if (stale) {
    const parents = (await git.text(['rev-list', '--parents', '-n', '1', head0.commit])).split(' ').slice(1);
    if (parents.length === 2 && parents[0] === s.origHead && parents[1] === s.onto) {
      return { ...result(s, 'committed'), commit: head0.commit, ...(await patchStats(git, head0.commit, s.patchPath)) };
    }
    throw new RefusedError(`no flagpatch rebase is in progress: ${stale}`, `nothing to continue; to move to ${s.ontoName} now: npx --no-install flagpatch rebase --onto ${s.ontoName}`);
  }
  if (s.phase === 'applying') return finishClean(git, s, true);
  if (s.phase === 'stopping') return stop(git, s, true);
  if (head0.commit !== s.origHead) {
    throw new RefusedError(
      `HEAD moved to ${head0.commit.slice(0, 12)} while the merge was still open`,
      'npx --no-install flagpatch rebase --abort removes the rebase state and leaves HEAD, index and work tree as they are',
    );
  }
  const unmerged = [
    ...new Set(
      (await git.text(['ls-files', '-u', '-z']))
        .split('\0')
        .filter(Boolean)
        .map((r) => r.slice(r.indexOf('\t') + 1)),
    ),
  ];
  if (unmerged.length) {
    throw new RefusedError(
      `still unmerged: ${unmerged.slice(0, 10).join(', ')}${unmerged.length > 10 ? ` and ${unmerged.length - 10} more` : ''}`,
      'resolve the conflict markers, git add those files, then npx --no-install flagpatch rebase --continue',
    );
  }
  const left = await markersLeft(
    git,
    '',
    s.conflicts.map((c) => c.path),
    s.labels,
  );
  if (left.length) throw new RefusedError(`conflict markers are still staged in ${left.join(', ')}`, 'resolve them, git add those files, then npx --no-install flagpatch rebase --continue');
  // The same refresh the pre-commit hook runs: the config (now naming REV) and the index.
  const env = { ...(opts.env ?? process.env) };
  delete env.GIT_INDEX_FILE;
  const ctx = await openContext({ ...opts, env }, 'index');
  await refreshIn(ctx, env);
  const tree = await git.text(['write-tree']);
  const message =
    fs
      .readFileSync(path.join(git.gitDir, 'MERGE_MSG'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n')
      .trim() + '\n';
  const commit = await git.text(['commit-tree', tree, '-p', s.origHead, '-p', s.onto, '-F', '-'], { input: message });
  await git.run(['update-ref', '-m', `flagpatch rebase --continue: ${message.split('\n')[0]}`, 'HEAD', commit, s.origHead], { waitForLock: true });
  for (const f of ['MERGE_HEAD', 'MERGE_MSG', 'MERGE_MODE']) fs.rmSync(path.join(git.gitDir, f), { force: true });
  clearState(git);
  return { ...result(s, 'merged'), commit, ...(await patchStats(git, commit, s.patchPath)) };
}

async function abortFork(git: Git): Promise<RebasedFork> {
  const s = readState(git);
  if (!s) throw new RefusedError('no flagpatch rebase is in progress', 'nothing to abort');
  const head = await revisionOf(git, 'HEAD', 'HEAD');
  const stale = await clearIfStale(git, s);
  if (stale || (head.commit !== s.origHead && head.commit !== s.commit)) {
    // Committed or abandoned with git, or HEAD moved on: the commits and changes since are the
    // user's, so nothing is reset; only the state (and a MERGE_HEAD of ours) goes.
    const why = stale ?? `HEAD moved to ${head.commit.slice(0, 12)} since the rebase stopped`;
    clearMerge(git, s);
    clearState(git);
    return { ...result(s, 'cleared'), cleared: why };
  }
  await git.run(['read-tree', '--reset', '-u', s.origHead], { waitForLock: true });
  if (head.commit !== s.origHead) await git.run(['update-ref', '-m', 'flagpatch rebase --abort', 'HEAD', s.origHead, head.commit], { waitForLock: true });
  restoreIndex(git);
  clearMerge(git, s);
  clearState(git);
  return result(s, 'aborted');
}

/** MERGE_HEAD, MERGE_MSG and MERGE_MODE, when MERGE_HEAD is the one this rebase wrote. */
function clearMerge(git: Git, s: State): void {
  if (ourMerge(git, s)) for (const f of ['MERGE_HEAD', 'MERGE_MSG', 'MERGE_MODE']) fs.rmSync(path.join(git.gitDir, f), { force: true });
}

function ourMerge(git: Git, s: State): boolean {
  try {
    return fs.readFileSync(path.join(git.gitDir, 'MERGE_HEAD'), 'utf8').trim() === s.onto;
  } catch {
    return false;
  }
}

/**
 * Whether the state is left over from a rebase git finished or abandoned (then it is removed,
 * and the reason returned). Stopped at conflicts, the merge is git's: once our MERGE_HEAD is
 * gone, `git commit` made it (HEAD holds REV, maybe with commits after) or `git merge --abort`
 * / `git reset` dropped it, whatever HEAD became since. A run interrupted before it stopped
 * has no MERGE_HEAD yet: stale only when HEAD holds REV and its start, otherwise --continue
 * or --abort finishes it.
 */
async function clearIfStale(git: Git, s: State): Promise<string | undefined> {
  if (ourMerge(git, s)) return undefined;
  const head = await git.resolve('HEAD');
  if (!head || head.commit === s.commit) return undefined;
  const onto = s.ontoName === s.onto.slice(0, 12) ? s.ontoName : `${s.ontoName} (${s.onto.slice(0, 12)})`;
  const holds = head.commit !== s.origHead && (await isAncestor(git, s.onto, head.commit)) && (await isAncestor(git, s.origHead, head.commit));
  let why: string | undefined;
  if (holds) why = `the merge of ${onto} was committed with git (HEAD ${head.commit.slice(0, 12)} holds it)`;
  else if (s.phase === 'stopped') why = `the merge of ${onto} was abandoned with git (MERGE_HEAD is gone)`;
  if (why) clearState(git);
  return why;
}

/** The post-commit hook after a merge commit: removes a rebase state that commit made stale. */
export async function clearStaleRebase(git: Git): Promise<string | undefined> {
  const s = readState(git);
  return s ? clearIfStale(git, s) : undefined;
}

async function isAncestor(git: Git, a: string, b: string): Promise<boolean> {
  return (await git.run(['merge-base', '--is-ancestor', a, b], { ok: [1] })).code === 0;
}

/**
 * REV must be an upstream commit: its history may hold no commit of the fork that the current
 * base does not hold — every merge base of HEAD and REV is in the base's history. That refuses
 * a REV in HEAD's history (the fork's own remote branch, an earlier fork commit) and a REV
 * built on the fork (HEAD, a descendant, a branch merging the fork): the merge would take the
 * vendor commits as upstream's and the new patch would silently lose them.
 */
async function checkUpstream(git: Git, r: { head: string; base: string; onto: string; given: string }): Promise<void> {
  const fix = 'pass --onto the upstream commit to move to, e.g. upstream/main after git fetch upstream';
  // An ancestor of the base (older, checkNotOlder allowed it) is upstream's.
  if (await isAncestor(git, r.onto, r.base)) return;
  if (await isAncestor(git, r.onto, r.head)) {
    throw new RefusedError(
      `--onto ${r.given} (${r.onto.slice(0, 12)}) is already in this fork's history (HEAD holds it) and is newer than the base: it is a commit of the fork, not an upstream commit; nothing was changed`,
      fix,
    );
  }
  const bases = (await git.text(['merge-base', '--all', r.head, r.onto])).split('\n').filter(Boolean);
  for (const m of bases) {
    if (!(await isAncestor(git, m, r.base))) {
      throw new RefusedError(
        `--onto ${r.given} (${r.onto.slice(0, 12)}) holds commits of this fork that upstream does not have (e.g. ${m.slice(0, 12)}): it is not an upstream commit; nothing was changed`,
        fix,
      );
    }
  }
}

/** How REV is named in messages and conflict markers: as given when it is a plain name. */
function nameOf(given: string, sha: string): string {
  return /^[\w./@{}~^-]{1,100}$/.test(given) && !/^[0-9a-f]{7,64}$/.test(given) ? given : sha.slice(0, 12);
}

function emptyResult(device: string, head: string, onto: string, ontoName: string, configFile: string): Omit<RebasedFork, 'state'> {
  return { mode: 'fork', device, head, onto, ontoName, patchPath: '', oldPatchPath: '', droppedOld: false, configFile, resolved: [], conflicts: [] };
}

function result(s: State, state: RebasedFork['state']): RebasedFork {
  return {
    mode: 'fork',
    state,
    device: s.device,
    head: s.origHead,
    onto: s.onto,
    ontoName: s.ontoName,
    patchPath: s.patchPath,
    oldPatchPath: s.oldPatchPath,
    droppedOld: s.droppedOld,
    configFile: s.configFile,
    resolved: s.resolved,
    conflicts: state === 'conflicts' ? s.conflicts : [],
  };
}

async function patchStats(git: Git, commit: string, file: string): Promise<{ files?: number; insertions?: number; deletions?: number }> {
  const [blob] = await git.objects([`${commit}:${file}`]);
  if (!blob) return {};
  const { stats } = await import('../patch/make.js');
  return stats(parsePatch(blob.data, file));
}

/**
 * The config text with "baseCommit" set to `sha`, everything else (other keys, indentation,
 * key order) as it was. JSON (.flagpatchrc.json, .flagpatchrc, package.json) and YAML.
 */
export function withBaseCommit(text: string, file: string, sha: string): string {
  const json = /"baseCommit"(\s*):(\s*)"(?:[^"\\]|\\.)*"/g;
  const yaml = /^(\s*baseCommit\s*:\s*)(["']?)[^\s"'#]*\2/gm;
  const re = (text.match(json)?.length ?? 0) === 1 ? json : (text.match(yaml)?.length ?? 0) === 1 ? yaml : null;
  if (!re) throw new RefusedError(`${file}: cannot find one "baseCommit" to update`, `set "baseCommit" in ${file} by hand, commit, and run again`);
  return re === json ? text.replace(json, (_m, a: string, b: string) => `"baseCommit"${a}:${b}"${sha}"`) : text.replace(yaml, (_m, key: string) => `${key}${sha}`);
}

/** Which of the conflicted paths are vendor code (git's own pathspec matching, on a temporary index). */
async function vendorOnly(git: Git, ws: string, cfg: Config, stages: readonly StageEntry[]): Promise<Set<string>> {
  if (stages.length === 0) return new Set();
  const idx = git.with({ GIT_INDEX_FILE: path.join(ws, 'conflicted-index') });
  const seen = new Map(stages.map((e) => [e.path, e]));
  await idx.updateIndex([...seen.values()].map((e) => ({ mode: e.mode, sha: e.sha, path: e.path })));
  const out = await idx.text(['ls-files', '-z', '--', ...vendorPathspecs(cfg)]);
  return new Set(out.split('\0').filter(Boolean));
}

/** Owned paths both sides changed: the fork's own device's patches and files from HEAD, other devices' patches from upstream, hetero.txt from both. */
async function resolveOwned(git: Git, cfg: Config, device: string, owned: readonly string[], stages: readonly StageEntry[]): Promise<TreeEdit[]> {
  const edits: TreeEdit[] = [];
  for (const p of owned) {
    const at = (n: number) => stages.find((e) => e.path === p && e.stage === n);
    if (p.startsWith(`${cfg.patchDir}/`)) {
      const e = p.slice(cfg.patchDir.length + 1).split('/')[0] === device ? at(2) : at(3);
      edits.push({ path: p, entry: e ? { mode: e.mode, sha: e.sha } : null });
    } else if (p === cfg.heteroFile) {
      const [b, o, t] = await git.objects([1, 2, 3].map((n) => at(n)?.sha ?? '0'.repeat(40)));
      const text = unionLines(b?.data.toString('utf8') ?? '', o?.data.toString('utf8') ?? '', t?.data.toString('utf8') ?? '');
      edits.push({ path: p, entry: { mode: '100644', sha: await git.hashObject(text) } });
    } else {
      const e = at(2);
      edits.push({ path: p, entry: e ? { mode: e.mode, sha: e.sha } : null });
    }
  }
  return edits;
}

/** hetero.txt merged as a set of lines: ours in order, minus what upstream removed, plus what it added. */
export function unionLines(base: string, ours: string, theirs: string): string {
  const key = (l: string) => l.replace(/\r$/, '').replace(/#.*/, '').trim().replace(/\s+/g, ' ');
  const keys = (t: string) => new Set(t.split('\n').map(key).filter(Boolean));
  const [b, o, t] = [keys(base), keys(ours), keys(theirs)];
  const kept = ours.split('\n').filter((l) => !(key(l) && b.has(key(l)) && !t.has(key(l))));
  const added = theirs.split('\n').filter((l) => key(l) && !b.has(key(l)) && !o.has(key(l)));
  const body = kept.join('\n');
  if (!added.length) return body;
  return `${body}${body === '' || body.endsWith('\n') ? '' : '\n'}${added.join('\n')}\n`;
}

function messageOf(data: Buffer, base: string, device: string, label: string): MessageInfo | null {
  try {
    const m = parsePatch(data, label);
    // As the refresh keeps a staged patch's message: only a complete one.
    return m[0]?.author && m[0]?.date && m[0]?.subject ? infoFrom(m, base, device) : null;
  } catch {
    return null;
  }
}

async function defaultInfo(git: Git, cfg: Config, base: string, device: string): Promise<MessageInfo> {
  return { author: authorFromIdent(await git.authorIdent()), subject: `[${device}] Adapt ${cfg.name} to ${device}`, base, device };
}

function stateDir(git: Git): string {
  return path.join(git.gitDir, STATE_DIR);
}

function readState(git: Git): State | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir(git), 'state.json'), 'utf8')) as State;
  } catch {
    return null;
  }
}

function writeState(git: Git, s: State): void {
  writeFileAtomic(path.join(stateDir(git), 'state.json'), `${JSON.stringify(s, null, 2)}\n`);
}

function saveIndexBackup(git: Git): void {
  const index = path.join(git.gitDir, 'index');
  fs.mkdirSync(stateDir(git), { recursive: true });
  if (fs.existsSync(index)) writeFileAtomic(path.join(stateDir(git), 'index'), fs.readFileSync(index));
}

function restoreIndex(git: Git): void {
  const backup = path.join(stateDir(git), 'index');
  if (fs.existsSync(backup)) fs.copyFileSync(backup, path.join(git.gitDir, 'index'));
}

function clearState(git: Git): void {
  fs.rmSync(stateDir(git), { recursive: true, force: true });
}
