// The refresh judges the index it commits: its config comes from that index, never from the
// work tree, and it writes the patch only inside the work tree (never through a symlink).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ENV, cleanup, commitAll, flagpatch, fork, git, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

function vendorFork() {
  const root = tmpdir();
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }), 'flagscale/train.py': 'vendor\n' });
  commitAll(v, 'vendor');
  return { root, up, v, id: up.base.slice(0, 6) };
}

test('the refresh reads the config of the index: an unstaged edit of it changes nothing', () => {
  const { v, id } = vendorFork();
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'B_Y100', baseCommit: 'HEAD', patchDir: 'elsewhere' }) });
  const r = flagpatch(v, ['refresh']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), `flagpatch: updated hardwares/A_X100/${id}/${id}.patch (1 file, +1 −2)`);
  assert.ok(git(v, ['ls-files', '--stage', `hardwares/A_X100/${id}/${id}.patch`]), 'staged in the index');
  assert.not.ok(fs.existsSync(path.join(v, 'elsewhere')));
  // Staged, the new config decides.
  git(v, ['add', '.flagpatchrc.json']);
  const s = flagpatch(v, ['refresh']);
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, 'flagpatch: updated elsewhere/B_Y100/');
});

test('a file added with git add -N (intent to add) stays out of the patch, as it stays out of the commit', () => {
  const { v } = vendorFork();
  write(v, { 'flagscale/later.py': 'not yet\n' });
  git(v, ['add', '-N', 'flagscale/later.py']);
  const r = flagpatch(v, ['refresh']);
  assert.is(r.code, 0, r.stderr);
  git(v, ['commit', '-q', '--no-verify', '-m', 'vendor work with its patch']);
  assert.not.match(git(v, ['show', '--stat', 'HEAD']), 'later.py');
  const c = flagpatch(v, ['check']);
  assert.is(c.code, 0, c.stdout);
});

test('a symlink on the patch path is refused: the refresh writes only inside the work tree', () => {
  const { v, root } = vendorFork();
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(v, 'hardwares'));
  const r = flagpatch(v, ['refresh']);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'flagpatch: error: hardwares: hardwares is a symlink; flagpatch writes the patch');
  assert.match(r.stderr, 'fix: replace the symlink with a real folder');
  assert.equal(fs.readdirSync(outside), [], 'nothing written through the link');
  fs.rmSync(path.join(v, 'hardwares'));
  fs.mkdirSync(path.join(v, 'hardwares'));
  fs.symlinkSync(outside, path.join(v, 'hardwares', 'A_X100'));
  const deeper = flagpatch(v, ['refresh']);
  assert.is(deeper.code, 1);
  assert.match(deeper.stderr, 'hardwares/A_X100 is a symlink');
  assert.equal(fs.readdirSync(outside), []);
});

test('the pre-push check judges each pushed commit with the config it holds', () => {
  const { v, up, id } = vendorFork();
  assert.is(flagpatch(v, ['refresh']).code, 0);
  git(v, ['commit', '-q', '--no-verify', '-m', 'patch']);
  const good = git(v, ['rev-parse', 'HEAD']);
  // A later commit edits vendor code without refreshing, and moves patchDir to hide it.
  write(v, { 'flagscale/train.py': 'vendor 2\n', '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base, patchDir: 'hidden' }) });
  const bad = commitAll(v, 'sneaky');
  // The work tree's config is put back: the push is judged by the commit, not by it.
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }) });
  const g = prePush(v, good);
  assert.is(g.code, 0, g.stderr);
  const r = prePush(v, bad);
  assert.is(r.code, 1);
  assert.match(r.stderr, `hidden/A_X100/${id}/${id}.patch: missing`);
});

/** The pre-push hook as git runs it, pushing `sha` to a new branch. */
function prePush(cwd: string, sha: string) {
  const input = `refs/heads/main ${sha} refs/heads/main ${'0'.repeat(40)}\n`;
  const r = spawnSync(process.execPath, [CLI, 'hook', 'pre-push', 'origin', 'url'], { cwd, env: ENV, input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test.run();
