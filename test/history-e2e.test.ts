// History moves through the packed package: `npm pack` installed into a fork (once, shared by
// every story here), `flagpatch init`, then real `git merge`, `git rebase`, `git cherry-pick`,
// `git revert`, `git worktree add`, `git clean -fdx` and `git push` to a bare remote. Each
// story asserts that no history operation stops on a patch file or hetero.txt, and that the
// commits it makes hold a fresh patch (checked with `flagpatch check` and with git plumbing).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ENV, ROOT, cleanup, commitAll, flagpatch, git, tmpdir, upstream, write } from './helpers.js';
import { OWNED, installOffline, needsInstall, run } from './install.js';

let template = '';
let up = '';
let base = '';
let id = '';
const keep: string[] = [];
let skipped: string | null = null;

/** A story that needs the installed fork: says SKIPPED with the reason when it cannot run. */
const story = needsInstall(test, 'history-e2e', () => skipped);

// uvu reports nothing when a before hook throws: the error is printed so a broken set-up shows.
test.before(() => {
  try {
    setUp();
  } catch (e) {
    console.error(e);
    throw e;
  }
});

function setUp(): void {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'flagpatch-history-')));
  keep.push(root);
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: ROOT, encoding: 'utf8' });
  assert.is(pack.status, 0, pack.stderr);
  const tarball = path.join(root, pack.stdout.trim().split('\n').pop()!);
  const u = upstream(root);
  up = u.dir;
  // The base has a .gitignore: whatever init added to it would be vendor code.
  write(up, { '.gitignore': '*.pyc\n' });
  base = commitAll(up, 'ignore compiled files');
  id = base.slice(0, 6);
  template = path.join(root, 'template');
  git(root, ['clone', '-q', up, template]);
  const init = run(template, process.execPath, [CLI, 'init', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(init.code, 0, init.out);
  skipped = installOffline(template, tarball);
  if (skipped) return;
  git(template, ['add', '-A']);
  git(template, ['commit', '-q', '-m', 'flagpatch init']);
}

test.after(() => {
  for (const d of keep) fs.rmSync(d, { recursive: true, force: true });
});
test.after.each(cleanup);

/** A clone of the initialized fork, installed as `npm install` would (node_modules + prepare). */
function forkClone(): { root: string; dir: string } {
  const root = tmpdir();
  git(root, ['clone', '-q', '--bare', template, 'remote.git']);
  const dir = path.join(root, 'fork');
  git(root, ['clone', '-q', 'remote.git', dir]);
  fs.symlinkSync(path.join(template, 'node_modules'), path.join(dir, 'node_modules'));
  const prepare = run(dir, 'node_modules/.bin/flagpatch', ['hook', 'install']);
  assert.is(prepare.code, 0, prepare.out);
  return { root, dir };
}

const PATCH = () => `hardwares/A_X100/${id}/${id}.patch`;

function commit(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(dir, 'git', ['commit', '-q', ...args], env);
}

/** `flagpatch check REV` passes, and git plumbing alone agrees: the patch gives REV's vendor tree. */
function assertFresh(dir: string, rev: string): void {
  const r = flagpatch(dir, ['check', rev]);
  assert.is(r.code, 0, `check ${rev}: ${r.stdout}${r.stderr}`);
  const index = path.join(tmpdir(), 'index');
  const env = { GIT_INDEX_FILE: index };
  git(dir, ['read-tree', base], { env });
  const patch = spawnSync('git', ['show', `${rev}:${PATCH()}`], { cwd: dir, env: ENV }).stdout;
  git(dir, ['apply', '--cached'], { env, input: patch });
  const applied = git(dir, ['write-tree'], { env });
  const excludes = OWNED.map((p) => `:(exclude)${p}`);
  assert.is(git(dir, ['diff-tree', '-r', '--name-only', applied, `${rev}^{tree}`, '--', '.', ...excludes]), '', `the patch at ${rev} reproduces it`);
}

function assertStale(dir: string, rev: string): void {
  const r = flagpatch(dir, ['check', rev]);
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, `✗ ${PATCH()}: stale`);
}

const unmerged = (dir: string) => git(dir, ['diff', '--name-only', '--diff-filter=U']);

story('merge: no conflict in the patch or hetero.txt; a merge git completes commits a fresh patch', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'def train():\n    return "A"\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  git(dir, ['checkout', '-q', '-b', 'feature']);
  write(dir, { 'flagscale/kernels.py': 'K = 1\n' });
  fs.appendFileSync(path.join(dir, 'hetero.txt'), '# feature note\n');
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'kernels']).code, 0);
  git(dir, ['checkout', '-q', 'main']);
  write(dir, { 'flagscale/model.py': 'model\n' });
  fs.appendFileSync(path.join(dir, 'hetero.txt'), '# main note\n');
  assert.is(commit(dir, ['-am', 'model']).code, 0);

  const r = run(dir, 'git', ['merge', '--no-edit', 'feature']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `flagpatch: updated ${PATCH()} (3 files,`);
  assert.match(r.out, '; amended ');
  assert.is(unmerged(dir), '');
  assert.is(git(dir, ['rev-list', '--parents', '-n', '1', 'HEAD']).split(' ').length, 3, 'a merge commit');
  const hetero = fs.readFileSync(path.join(dir, 'hetero.txt'), 'utf8');
  assert.match(hetero, '# feature note');
  assert.match(hetero, '# main note');
  assertFresh(dir, 'HEAD');
  assert.is(git(dir, ['status', '--porcelain']), '');
});

story('conflicted merge: only vendor code conflicts; refresh and the hook name it; git commit commits a fresh patch', () => {
  const { dir } = forkClone();
  git(dir, ['checkout', '-q', '-b', 'feature']);
  write(dir, { 'flagscale/train.py': 'feature\n' });
  assert.is(commit(dir, ['-am', 'feature']).code, 0);
  git(dir, ['checkout', '-q', 'main']);
  write(dir, { 'flagscale/train.py': 'main\n' });
  assert.is(commit(dir, ['-am', 'main']).code, 0);
  const r = run(dir, 'git', ['merge', '--no-edit', 'feature']);
  assert.is(r.code, 1, r.out);
  assert.is(unmerged(dir), 'flagscale/train.py', 'the patch (add/add) and hetero.txt merged cleanly');

  for (const args of [['refresh'], ['refresh', '--amend'], ['hook', 'pre-commit']]) {
    const stopped = flagpatch(dir, args);
    assert.is(stopped.code, 1, args.join(' '));
    const lines = stopped.stderr.trim().split('\n');
    assert.match(lines[0], /1 path is unmerged: flagscale\/train\.py/);
    assert.match(lines[1], 'fix: resolve them first');
  }
  write(dir, { 'flagscale/train.py': 'both\n' });
  git(dir, ['add', 'flagscale/train.py']);
  const done = commit(dir, ['--no-edit']);
  assert.is(done.code, 0, done.out);
  assert.match(git(dir, ['show', `HEAD:${PATCH()}`]), '+both');
  assertFresh(dir, 'HEAD');
});

story('rebase never stops on the patch and leaves every commit fresh; skipped, a stale tip is refused at push and -x refresh --amend fixes it', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'v0\n' });
  assert.is(commit(dir, ['-am', 'v0']).code, 0);
  git(dir, ['checkout', '-q', '-b', 'topic']);
  for (const n of [1, 2, 3]) {
    write(dir, { [`flagscale/topic${n}.py`]: `t = ${n}\n` });
    git(dir, ['add', '-A']);
    assert.is(commit(dir, ['-m', `topic ${n}`]).code, 0);
  }
  const topic = git(dir, ['rev-parse', 'HEAD']);
  git(dir, ['checkout', '-q', 'main']);
  write(dir, { 'flagscale/model.py': 'upstream of topic\n' });
  assert.is(commit(dir, ['-am', 'main moves']).code, 0);
  git(dir, ['checkout', '-q', 'topic']);

  const r = run(dir, 'git', ['rebase', 'main']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `flagpatch: 3 rebased commits now hold a fresh ${PATCH()}`);
  assert.is(unmerged(dir), '');
  for (const rev of ['HEAD~2', 'HEAD~1', 'HEAD']) assertFresh(dir, rev);
  assert.is(git(dir, ['log', '--format=%s', 'main..HEAD']), 'topic 3\ntopic 2\ntopic 1', 'messages kept');
  assert.is(git(dir, ['rev-parse', 'HEAD~3']), git(dir, ['rev-parse', 'main']));
  assert.is(git(dir, ['status', '--porcelain']), '');

  git(dir, ['reset', '-q', '--hard', topic]);
  const skipped = run(dir, 'git', ['rebase', 'main'], { FLAGPATCH_SKIP: '1' });
  assert.is(skipped.code, 0, skipped.out);
  assertStale(dir, 'HEAD');
  const push = run(dir, 'git', ['push', 'origin', 'HEAD:refs/heads/topic']);
  assert.is.not(push.code, 0);
  assert.match(push.out, `${PATCH()}: stale`);
  assert.match(push.out, 'fix: refresh it');
  const ex = run(dir, 'git', ['rebase', '-x', 'npx --no flagpatch refresh --amend', 'main'], { HOME: process.env.HOME });
  assert.is(ex.code, 0, ex.out);
  for (const rev of ['HEAD~2', 'HEAD~1', 'HEAD']) assertFresh(dir, rev);
  assert.is(git(dir, ['status', '--porcelain']), '');
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:refs/heads/topic']).code, 0);
});

story('cherry-pick and revert of one commit commit a fresh patch; several picks are refreshed by the documented command', () => {
  const { dir } = forkClone();
  git(dir, ['checkout', '-q', '-b', 'side']);
  for (const n of [1, 2, 3]) {
    write(dir, { [`flagscale/side${n}.py`]: `s = ${n}\n` });
    git(dir, ['add', '-A']);
    assert.is(commit(dir, ['-m', `side ${n}`]).code, 0);
  }
  git(dir, ['checkout', '-q', 'main']);
  write(dir, { 'flagscale/train.py': 'main\n' });
  assert.is(commit(dir, ['-am', 'main']).code, 0);

  const pick = run(dir, 'git', ['cherry-pick', 'side~1']);
  assert.is(pick.code, 0, pick.out);
  assert.match(pick.out, '; amended ');
  assert.is(git(dir, ['log', '-1', '--format=%s']), 'side 2');
  assertFresh(dir, 'HEAD');
  const revert = run(dir, 'git', ['revert', '--no-edit', 'side~1']);
  assert.is(revert.code, 0, revert.out);
  assert.match(revert.out, '; amended ');
  assertFresh(dir, 'HEAD');
  assert.not.match(git(dir, ['show', `HEAD:${PATCH()}`]), 'flagscale/side2.py', 'the reverted change left the patch');

  // Reverting the commit that created the patch is a modify/delete of the patch file, where git
  // asks no merge driver: it stops, and `flagpatch refresh` resolves it.
  write(dir, { 'flagscale/more.py': 'more\n' });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'more']).code, 0);
  const first = run(dir, 'git', ['revert', '--no-edit', 'HEAD~3']);
  assert.is(first.code, 1, first.out);
  assert.is(unmerged(dir), PATCH());
  const resolved = run(dir, 'npx', ['--no', 'flagpatch', 'refresh'], { HOME: process.env.HOME });
  assert.is(resolved.code, 0, resolved.out);
  assert.is(unmerged(dir), '');
  const cont = run(dir, 'git', ['revert', '--continue'], { GIT_EDITOR: 'true' });
  assert.is(cont.code, 0, cont.out);
  assertFresh(dir, 'HEAD');
  assert.not.match(git(dir, ['show', `HEAD:${PATCH()}`]), 'flagscale/train.py');
  assert.match(git(dir, ['show', `HEAD:${PATCH()}`]), 'flagscale/more.py');

  const start = git(dir, ['rev-parse', '--short', 'HEAD']);
  const several = run(dir, 'git', ['cherry-pick', 'side~2', 'side']);
  assert.is(several.code, 0, several.out);
  const picks = git(dir, ['log', '--format=%h', '-2']).split('\n').reverse();
  for (const c of picks) assert.match(several.out, `flagpatch: ${c} was not refreshed (a sequence of picks); when it ends: git rebase -x 'npx --no-install flagpatch refresh --amend' ${start}\n`);
  assertStale(dir, 'HEAD');
  const ex = run(dir, 'git', ['rebase', '-x', 'npx --no flagpatch refresh --amend', start], { HOME: process.env.HOME });
  assert.is(ex.code, 0, ex.out);
  assertFresh(dir, 'HEAD~1');
  assertFresh(dir, 'HEAD');
  assert.is(git(dir, ['status', '--porcelain']), '');

  // A pick that stops on vendor code: resolved, then --continue commits a fresh patch.
  git(dir, ['checkout', '-q', '-b', 'clash', 'side']);
  write(dir, { 'flagscale/train.py': 'clash\n' });
  assert.is(commit(dir, ['-am', 'clash']).code, 0);
  git(dir, ['checkout', '-q', 'main']);
  write(dir, { 'flagscale/train.py': 'main again\n' });
  assert.is(commit(dir, ['-am', 'main again']).code, 0);
  const stopped = run(dir, 'git', ['cherry-pick', 'clash']);
  assert.is(stopped.code, 1, stopped.out);
  assert.is(unmerged(dir), 'flagscale/train.py');
  write(dir, { 'flagscale/train.py': 'resolved\n' });
  git(dir, ['add', 'flagscale/train.py']);
  const picked = run(dir, 'git', ['cherry-pick', '--continue'], { GIT_EDITOR: 'true' });
  assert.is(picked.code, 0, picked.out);
  assert.match(git(dir, ['show', `HEAD:${PATCH()}`]), '+resolved');
  assertFresh(dir, 'HEAD');
});

story('conflict markers in a patch: push refused saying so, with the exact fix, which works', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'one\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  // What a text merge of the patch file leaves (a clone whose merge driver was never wired).
  const file = path.join(dir, PATCH());
  const text = fs.readFileSync(file, 'utf8').replace('+one\n', '<<<<<<< HEAD\n+one\n=======\n+two\n>>>>>>> feature\n');
  fs.writeFileSync(file, text);
  assert.is(commit(dir, ['--no-verify', '-am', 'merged by hand']).code, 0);
  const push = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(push.code, 0);
  const line = text.split('\n').indexOf('<<<<<<< HEAD') + 1;
  assert.match(push.out, `✗ ${PATCH()}: holds conflict markers at line ${line} (a merge, rebase or cherry-pick merged the patch file as text)`, push.out);
  assert.match(push.out, "fix: regenerate it on that commit: npx --no-install flagpatch refresh --amend (an older commit: git rebase -x 'npx --no-install flagpatch refresh --amend' <its parent>)");
  // The fix amends only the patch: what else is staged stays staged, out of the commit.
  write(dir, { 'README.md': 'staged, not committed\n' });
  git(dir, ['add', 'README.md']);
  const fixed = run(dir, 'npx', ['--no', 'flagpatch', 'refresh', '--amend'], { HOME: process.env.HOME });
  assert.is(fixed.code, 0, fixed.out);
  assertFresh(dir, 'HEAD');
  assert.is(git(dir, ['status', '--porcelain']), 'M  README.md');
  assert.is(git(dir, ['log', '-1', '--format=%s']), 'merged by hand', 'the message is kept');
  git(dir, ['reset', '-q', '--hard']);
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:main']).code, 0);

  // Markers in a pushed commit below a fresh tip are refused too.
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('+one\n', '<<<<<<< HEAD\n+one\n=======\n+three\n>>>>>>> other\n'));
  assert.is(commit(dir, ['--no-verify', '-am', 'merged by hand again']).code, 0);
  const marked = git(dir, ['rev-parse', 'HEAD']);
  write(dir, { 'flagscale/model.py': 'on top\n' });
  assert.is(commit(dir, ['-am', 'on top']).code, 0);
  assert.is(flagpatch(dir, ['check']).code, 0, 'the tip is fresh');
  const below = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(below.code, 0);
  assert.match(below.out, `✗ ${PATCH()} in ${marked.slice(0, 12)}: holds conflict markers at line ${line} (a pushed commit below the tip)`);
  assert.match(below.out, `fix: refresh every commit from there: git rebase -x 'npx --no-install flagpatch refresh --amend' ${marked.slice(0, 12)}^`);
  const rebased = run(dir, 'git', ['rebase', '-x', 'npx --no flagpatch refresh --amend', `${marked}^`], { HOME: process.env.HOME });
  assert.is(rebased.code, 0, rebased.out);
  assertFresh(dir, 'HEAD~1');
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:main']).code, 0);
});

story('hooks never silently stop: a linked worktree refreshes; after git clean -fdx a commit fails with one line', () => {
  const { root, dir } = forkClone();
  const wt = path.join(root, 'wt');
  git(dir, ['worktree', 'add', '-q', '-b', 'wt', wt]);
  assert.not.ok(fs.existsSync(path.join(wt, 'node_modules')));
  write(wt, { 'flagscale/train.py': 'from a worktree\n' });
  const inWt = commit(wt, ['-am', 'worktree commit']);
  assert.is(inWt.code, 0, inWt.out);
  assert.match(inWt.out, `flagpatch: updated ${PATCH()}`);
  assertFresh(wt, 'HEAD');

  git(dir, ['clean', '-q', '-fdx']);
  assert.not.ok(fs.existsSync(path.join(dir, 'node_modules')), 'git clean -fdx removed the install');
  const head = git(dir, ['rev-parse', 'HEAD']);
  write(dir, { 'flagscale/train.py': 'after clean\n' });
  const r = commit(dir, ['-am', 'after clean']);
  assert.is.not(r.code, 0);
  assert.is(r.out.trim(), 'flagpatch: pre-commit hook: flagpatch is not installed in this work tree; run npm install (FLAGPATCH_SKIP=1 skips the hook)');
  assert.is(git(dir, ['rev-parse', 'HEAD']), head, 'nothing committed');
  const push = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(push.code, 0, 'pre-push fails closed too');
  assert.match(push.out, 'flagpatch: pre-push hook: flagpatch is not installed');
  git(dir, ['checkout', '-q', '--', '.']);
  const rebase = run(dir, 'git', ['rebase', '--force-rebase', 'HEAD~1']);
  assert.is.not(rebase.code, 0, 'so does a rebase, before it starts');
  assert.match(rebase.out, 'flagpatch: pre-rebase hook: flagpatch is not installed', rebase.out);
  assert.is(git(dir, ['rev-parse', 'HEAD']), head);

  // A clone that never ran npm install has no hooks at all (git clones no config): CI's check
  // is what catches its stale patch.
  const bare = path.join(root, 'plain');
  git(root, ['clone', '-q', path.join(root, 'remote.git'), bare]);
  write(bare, { 'flagscale/train.py': 'never installed\n' });
  assert.is(commit(bare, ['-am', 'no hooks here']).code, 0);
  assert.is(flagpatch(bare, ['check']).code, 1);
});

story('upstream accepts the submission; merging upstream back completes without conflicts and stays fresh', () => {
  const { root, dir } = forkClone();
  const upCopy = path.join(root, 'upstream');
  git(root, ['clone', '-q', up, upCopy]);
  write(dir, { 'flagscale/train.py': 'accepted\n' });
  assert.is(commit(dir, ['-am', '[A_X100] train on A_X100']).code, 0);
  assert.is(run(dir, 'node_modules/.bin/flagpatch', ['patch']).code, 0);
  git(upCopy, ['fetch', '-q', dir, 'flagpatch/A_X100']);
  git(upCopy, ['merge', '-q', '--no-ff', '--no-edit', 'FETCH_HEAD']);
  // Vendor B joins on the same base as a heterogeneous pair: hetero.txt gains the line.
  const b = path.join(root, 'vendor-b');
  git(root, ['clone', '-q', upCopy, b]);
  write(b, { 'tools/run.sh': '#!/bin/sh\necho run on B\n' });
  commitAll(b, 'B');
  const hb = flagpatch(b, ['patch', '--device-type', 'A_X100', 'B_Y100', '--base-commit-id', base, '--onto', 'origin/main']);
  assert.is(hb.code, 0, hb.stderr);
  git(upCopy, ['fetch', '-q', b, 'flagpatch/B_Y100']);
  git(upCopy, ['merge', '-q', '--no-edit', 'FETCH_HEAD']);

  git(dir, ['fetch', '-q', upCopy, 'main']);
  const r = run(dir, 'git', ['merge', '--no-edit', 'FETCH_HEAD']);
  assert.is(r.code, 0, r.out);
  assert.is(unmerged(dir), '');
  assert.match(fs.readFileSync(path.join(dir, 'hetero.txt'), 'utf8'), `${id}: A_X100 B_Y100`);
  assert.ok(git(dir, ['ls-files', `hardwares/B_Y100/${id}/${id}.patch`]));
  assertFresh(dir, 'HEAD');
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:main']).code, 0, 'pre-push passes');
});

story('a base that is not merged is refused by patch and init; init with another base says what changed', () => {
  const { root, dir } = forkClone();
  const upCopy = path.join(root, 'upstream');
  git(root, ['clone', '-q', up, upCopy]);
  write(upCopy, { 'flagscale/newer.py': 'newer upstream file\n' });
  const newer = commitAll(upCopy, 'upstream moves on');
  write(dir, { 'flagscale/train.py': 'vendor\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  git(dir, ['fetch', '-q', upCopy, 'main']);

  const p = flagpatch(dir, ['patch', '--base-commit-id', newer]);
  assert.is(p.code, 1, p.stdout);
  assert.match(p.stderr, `--base-commit-id ${newer} (${newer.slice(0, 12)}) is not an ancestor of HEAD`);
  assert.match(p.stderr, 'fix: ');
  assert.not.ok(git(dir, ['branch', '--list', 'flagpatch/A_X100']), 'no submission made');
  const i = flagpatch(dir, ['init', '--device-type', 'A_X100', '--base-commit-id', newer]);
  assert.is(i.code, 1, i.stdout);
  assert.match(i.stderr, 'is not an ancestor of HEAD');

  assert.is(run(dir, 'git', ['merge', '-q', '--no-edit', newer]).code, 0);
  // A fork an earlier init wired through husky (an ignored hooks/_ folder) is rewired too.
  const pkgFile = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.scripts.prepare = 'npm run build && husky hooks';
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
  git(dir, ['config', 'core.hooksPath', 'hooks/_']);
  const again = flagpatch(dir, ['init', '--device-type', 'A_X100', '--base-commit-id', newer]);
  assert.is(again.code, 0, again.stderr);
  assert.is(JSON.parse(fs.readFileSync(pkgFile, 'utf8')).scripts.prepare, 'npm run build && flagpatch hook install');
  assert.is(git(dir, ['config', 'core.hooksPath']), 'hooks');
  assert.match(again.stdout, `flagpatch init: baseCommit changed: ${base.slice(0, 12)} → ${newer.slice(0, 12)}`);
  const next = `hardwares/A_X100/${newer.slice(0, 6)}/${newer.slice(0, 6)}.patch`;
  assert.match(again.stdout, `flagpatch init: the next commit writes ${next}; ${PATCH()} stays`);
  const c = commit(dir, ['-am', 'move to the newer base']);
  assert.is(c.code, 0, c.out);
  assert.ok(git(dir, ['ls-files', next]));
  assert.not.match(git(dir, ['show', `HEAD:${next}`]), 'newer.py', 'upstream code is not vendor code on the new base');
});

story("init's own ignore lines are not vendor code; fresh means exact (diffstat included)", () => {
  const { dir } = forkClone();
  assert.is(git(dir, ['diff', base, 'HEAD', '--', '.gitignore']), '', 'init left the base .gitignore alone');
  assert.match(fs.readFileSync(path.join(dir, '.git', 'info', 'exclude'), 'utf8'), 'node_modules\n/build/\n');
  write(dir, { 'flagscale/train.py': 'exact\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  assert.not.match(git(dir, ['show', `HEAD:${PATCH()}`]), '.gitignore');
  assert.is(git(dir, ['status', '--porcelain']), '', 'node_modules is ignored');

  // A diffstat git would never write: the patch still applies, but it is not what flagpatch makes.
  const file = path.join(dir, PATCH());
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace(/( flagscale\/train\.py \| )\d+ [+-]+/, '$19 +++++----'));
  assert.is.not(fs.readFileSync(file, 'utf8'), text);
  assert.is(commit(dir, ['--no-verify', '-am', 'hand-merged diffstat']).code, 0);
  const r = flagpatch(dir, ['check']);
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, `✗ ${PATCH()}: stale: its diffstat or diff text differs from what flagpatch generates for this commit`);
  assert.match(r.stdout, 'fix: refresh it');
  // Only the message may differ.
  fs.writeFileSync(file, text.replace(/^Subject: .*$/m, 'Subject: [PATCH] [A_X100] another subject'));
  assert.is(commit(dir, ['--no-verify', '-am', 'other subject']).code, 0);
  assertFresh(dir, 'HEAD');
});

story('a rebase of a base move is refused before it starts (flattened or with --rebase-merges); merging keeps it', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'vendor\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  const before = git(dir, ['rev-parse', 'HEAD']);
  // Upstream moves (a commit on the base, made where no hook runs), and the fork moves onto it.
  git(dir, ['checkout', '-q', '-b', 'upstream-next', base]);
  write(dir, { 'src/upstream.py': 'u\n' });
  git(dir, ['add', 'src/upstream.py']);
  assert.is(commit(dir, ['-m', 'upstream unrelated']).code, 0);
  const next = git(dir, ['rev-parse', 'HEAD']);
  git(dir, ['checkout', '-q', 'main']);
  const moved = flagpatch(dir, ['rebase', '--onto', next]);
  assert.is(moved.code, 0, moved.stdout + moved.stderr);
  const merge = git(dir, ['rev-parse', 'HEAD']);
  // A teammate pushed a commit on the old tip meanwhile: what `git pull --rebase` rebases onto.
  git(dir, ['checkout', '-q', '-b', 'mate', before]);
  write(dir, { 'flagscale/mate.py': 'm\n' });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'mate']).code, 0);
  git(dir, ['checkout', '-q', 'main']);

  // Flattened (git's default, `git pull --rebase`) or rebuilt (--rebase-merges, which loses
  // what the merge itself changed), the base move would be undone: both are refused.
  for (const args of [
    ['rebase', 'mate'],
    ['rebase', '--rebase-merges', 'mate'],
  ]) {
    const r = run(dir, 'git', args);
    assert.is(r.code, 128, r.out);
    assert.match(r.out, `flagpatch: error: this rebase would undo the base move ${merge.slice(0, 12)} (baseCommit ${base.slice(0, 12)} → ${next.slice(0, 12)})`);
    assert.match(r.out, 'fix: merge instead: git pull --no-rebase (or git merge), or rebase only the commits after the base move (FLAGPATCH_SKIP=1 skips this check)');
    assert.match(r.out, 'fatal: The pre-rebase hook refused to rebase.');
    assert.is(git(dir, ['rev-parse', 'HEAD']), merge, 'nothing rebased');
  }
  const merged = run(dir, 'git', ['merge', '--no-edit', 'mate']);
  assert.is(merged.code, 0, merged.out);
  assert.match(git(dir, ['show', 'HEAD:.flagpatchrc.json']), next);
  const check = flagpatch(dir, ['check', 'HEAD']);
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.is(git(dir, ['status', '--porcelain']), '');
});

story("the clone's own hooks keep running: .git/hooks after flagpatch's work, with the same arguments and input; a replaced core.hooksPath is named and chained", () => {
  const { root, dir } = forkClone();
  const own = path.join(dir, '.git', 'hooks');
  const hook = (folder: string, name: string, body: string) => {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  hook(own, 'commit-msg', 'echo "Change-Id: I123" >> "$1"');
  hook(own, 'pre-commit', 'git diff --cached --name-only > .git/own-pre-commit');
  hook(own, 'pre-push', 'echo "$@" > .git/own-pre-push; cat >> .git/own-pre-push');
  write(dir, { 'flagscale/train.py': 'vendor\n' });
  const c = commit(dir, ['-am', 'vendor']);
  assert.is(c.code, 0, c.out);
  assert.is(git(dir, ['log', '-1', '--format=%B']).trim(), 'vendor\nChange-Id: I123');
  assert.is(fs.readFileSync(path.join(dir, '.git/own-pre-commit'), 'utf8'), `flagscale/train.py\n${PATCH()}\n`, "after flagpatch's refresh");
  assertFresh(dir, 'HEAD');
  const head = git(dir, ['rev-parse', 'HEAD']);
  const push = run(dir, 'git', ['push', '-q', 'origin', 'HEAD:refs/heads/side']);
  assert.is(push.code, 0, push.out);
  const remote = path.join(root, 'remote.git');
  assert.is(fs.readFileSync(path.join(dir, '.git/own-pre-push'), 'utf8'), `origin ${remote}\nHEAD ${head} refs/heads/side ${'0'.repeat(40)}\n`);

  // A team's own hooks folder: hook install names it and the tracked scripts run its hooks.
  git(dir, ['config', 'core.hooksPath', '.team-hooks']);
  hook(path.join(dir, '.team-hooks'), 'commit-msg', 'echo "Team: yes" >> "$1"');
  fs.appendFileSync(path.join(dir, '.git/info/exclude'), '.team-hooks\n');
  const again = flagpatch(dir, ['hook', 'install']);
  assert.is(again.code, 0, again.stderr);
  assert.match(
    again.stdout,
    'flagpatch: core.hooksPath was .team-hooks: git no longer runs its hooks itself; the scripts in hooks/ run the ones of their names after their own work (git config flagpatch.chainedHooksPath)',
  );
  assert.is(git(dir, ['config', 'core.hooksPath']), 'hooks');
  write(dir, { 'flagscale/train.py': 'team\n' });
  assert.is(commit(dir, ['-am', 'team']).code, 0);
  assert.is(git(dir, ['log', '-1', '--format=%B']).trim(), 'team\nTeam: yes');
  assertFresh(dir, 'HEAD');
  assert.is(git(dir, ['status', '--porcelain']), '');
});

story('rebase --update-refs: every stacked branch moves to its refreshed commit', () => {
  const { dir } = forkClone();
  git(dir, ['checkout', '-q', '-b', 'sa']);
  write(dir, { 'flagscale/sa.py': 'sa\n' });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'sa']).code, 0);
  git(dir, ['checkout', '-q', '-b', 'sb']);
  write(dir, { 'flagscale/sb.py': 'sb\n' });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'sb']).code, 0);
  git(dir, ['checkout', '-q', 'main']);
  write(dir, { 'flagscale/model.py': 'main moves\n' });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'main moves']).code, 0);
  git(dir, ['checkout', '-q', 'sb']);

  const r = run(dir, 'git', ['rebase', '--update-refs', 'main']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `flagpatch: 2 rebased commits now hold a fresh ${PATCH()}`);
  assert.match(r.out, /flagpatch: branch sa [0-9a-f]{12} → [0-9a-f]{12} \(its commits hold the fresh patch too\)/);
  assert.is(git(dir, ['rev-parse', 'sa']), git(dir, ['rev-parse', 'sb~1']), 'sa is in sb again');
  assertFresh(dir, 'sa');
  assertFresh(dir, 'sb');
  assert.is(git(dir, ['status', '--porcelain']), '');
});

test.run();
