// A fork's `flagpatch rebase --onto` finished or abandoned with git instead of flagpatch (a plain
// `git commit`, `git merge --abort`, `git reset --hard`), with commits made after it: the
// state it left is recognised as stale and removed by the next rebase command, and --abort
// never resets the commits made since; with the post-commit hook the commit itself removes it.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, cleanup, flagpatch, git, snapshot, tmpdir } from './helpers.js';
import { MODEL, installHook, model, copyFork, withStory, type Story } from './upstream-moves.js';

let s: Story;
withStory(test, 'stale', (made) => (s = made));
test.after.each(cleanup);

const forkCopy = () => copyFork(s, tmpdir());

const stateDir = (v: string) => path.join(v, '.git', 'flagpatch-rebase');
const head = (v: string) => git(v, ['rev-parse', 'HEAD']);
const laterWork = (v: string) => {
  fs.appendFileSync(path.join(v, 'README.md'), 'later work\n');
  git(v, ['commit', '-q', '-am', 'later work']);
};

/** Stops at the conflict of REV u4 (model.py line 20). */
function stopAtConflict(v: string): void {
  const r = flagpatch(v, ['rebase', '--onto', s.u.u4]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.ok(fs.existsSync(stateDir(v)));
}

test('finished by git commit, then more work: --abort only removes the state and keeps every commit', () => {
  const v = forkCopy();
  installHook(v);
  const start = head(v);
  stopAtConflict(v);
  fs.writeFileSync(path.join(v, MODEL), model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100 and upstream' }));
  git(v, ['add', MODEL]);
  git(v, ['commit', '-q', '--no-edit']);
  const merge = head(v);
  laterWork(v);
  const tip = head(v);
  const before = snapshot(v);
  const a = flagpatch(v, ['rebase', '--abort']);
  assert.is(a.code, 0, a.stdout + a.stderr);
  assert.match(a.stdout, `flagpatch rebase: nothing to abort: the merge of ${s.u.u4.slice(0, 12)} was committed with git (HEAD ${tip.slice(0, 12)} holds it); removed the rebase state`);
  assert.not.match(a.stdout + a.stderr, 'reset');
  assert.not.ok(fs.existsSync(stateDir(v)), 'state removed');
  assert.is(head(v), tip, 'the later commit is kept');
  assert.equal(git(v, ['rev-list', '--parents', '-n', '1', merge]).split(' ').slice(1), [start, s.u.u4]);
  const after = snapshot(v);
  assert.equal({ ...after, state: undefined }, { ...before, state: undefined });
  assert.is(git(v, ['status', '--porcelain']), '');
});

test('finished by git commit, then the next rebase --onto clears the state itself and goes on', () => {
  const v = forkCopy();
  installHook(v);
  stopAtConflict(v);
  fs.writeFileSync(path.join(v, MODEL), model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100 and upstream' }));
  git(v, ['add', MODEL]);
  git(v, ['commit', '-q', '--no-edit']);
  laterWork(v);
  const r = flagpatch(v, ['rebase', '--onto', s.u.u5]);
  assert.match(r.stdout, `flagpatch rebase: removed the state of an earlier rebase: the merge of ${s.u.u4.slice(0, 12)} was committed with git (HEAD `);
  assert.not.match(r.stderr, 'in progress');
});

test('abandoned with git merge --abort (or reset --hard) and more work: --continue says so, --abort clears, --onto starts afresh', () => {
  const v = forkCopy();
  stopAtConflict(v);
  git(v, ['merge', '--abort']);
  laterWork(v);
  const tip = head(v);
  const c = flagpatch(v, ['rebase', '--continue']);
  assert.is(c.code, 1);
  assert.match(c.stderr, `no flagpatch rebase is in progress: the merge of ${s.u.u4.slice(0, 12)} was abandoned with git (MERGE_HEAD is gone)`);
  assert.match(c.stderr, `fix: nothing to continue; to move to ${s.u.u4.slice(0, 12)} now: npx --no-install flagpatch rebase --onto ${s.u.u4.slice(0, 12)}`);
  assert.not.ok(fs.existsSync(stateDir(v)));

  stopAtConflict(v);
  git(v, ['reset', '-q', '--hard']);
  fs.appendFileSync(path.join(v, 'README.md'), 'uncommitted edit\n');
  const a = flagpatch(v, ['rebase', '--abort']);
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, 'nothing to abort: the merge of');
  assert.is(head(v), tip);
  assert.match(fs.readFileSync(path.join(v, 'README.md'), 'utf8'), 'uncommitted edit\n', 'the work tree is left alone');
  assert.not.ok(fs.existsSync(stateDir(v)));
  git(v, ['checkout', '-q', '--', 'README.md']);

  stopAtConflict(v);
  git(v, ['merge', '--abort']);
  const r = flagpatch(v, ['rebase', '--onto', s.u.u4]);
  assert.is(r.code, 1, 'stops at the same conflict again');
  assert.match(r.stdout, 'removed the state of an earlier rebase');
  assert.match(r.stdout, `✗ ${MODEL} line 21`);
  assert.is(flagpatch(v, ['rebase', '--abort']).code, 0);
  assert.is(head(v), tip);
});

test('with the post-commit hook, the git commit that finishes the rebase removes its state', () => {
  const v = forkCopy();
  installHook(v);
  const hooks = path.join(v, '.git', 'test-hooks');
  fs.copyFileSync(path.resolve(path.dirname(CLI), '..', '..', 'templates', 'hooks', 'post-commit'), path.join(hooks, 'post-commit'));
  fs.chmodSync(path.join(hooks, 'post-commit'), 0o755);
  const bin = path.join(tmpdir(), 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'flagpatch'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${bin}:${process.env.PATH}` };
  const start = head(v);
  stopAtConflict(v);
  fs.writeFileSync(path.join(v, MODEL), model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100 and upstream' }));
  git(v, ['add', MODEL]);
  git(v, ['commit', '-q', '--no-edit'], { env });
  assert.not.ok(fs.existsSync(stateDir(v)), 'no state left after the commit');
  assert.equal(git(v, ['rev-list', '--parents', '-n', '1', 'HEAD']).split(' ').slice(1), [start, s.u.u4], 'the merge commit, not amended');
  assert.is(flagpatch(v, ['check']).code, 0, 'its patch is fresh');
  // An ordinary merge with no rebase state is left alone.
  laterWork(v);
  assert.is(git(v, ['status', '--porcelain']), '');
});

test.run();
