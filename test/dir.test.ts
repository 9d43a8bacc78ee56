// `unpatch --dir` replaces only what flagpatch made and left unchanged; it touches nothing
// else under DIR and leaves no half-built tree when a patch does not apply.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, git, tmpdir, upstreamWithPatch, write } from './helpers.js';

test.after.each(cleanup);

function setup() {
  const root = tmpdir();
  const up = upstreamWithPatch(root);
  const args = ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', path.join(root, 'build')];
  return { root, up, args, target: path.join(root, 'build', 'A_X100', 'FlagScale') };
}

test('a folder flagpatch did not make is refused, untouched; --force replaces it', () => {
  const { up, args, target, root } = setup();
  write(target, { 'precious.txt': 'mine\n' });
  write(path.join(root, 'build'), { 'other/keep.txt': 'keep\n' });
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'exists and is not a tree flagpatch made');
  assert.match(r.stderr, '--force');
  assert.is(fs.readFileSync(path.join(target, 'precious.txt'), 'utf8'), 'mine\n');
  const f = flagpatch(up.dir, [...args, '--force']);
  assert.is(f.code, 0, f.stderr);
  assert.not.ok(fs.existsSync(path.join(target, 'precious.txt')));
  assert.is(fs.readFileSync(path.join(target, 'flagscale/train.py'), 'utf8'), 'vendor\n');
  assert.is(fs.readFileSync(path.join(root, 'build/other/keep.txt'), 'utf8'), 'keep\n', 'nothing else under DIR touched');
  assert.equal(fs.readdirSync(path.join(root, 'build', 'A_X100')), ['FlagScale'], 'no temporary sibling left');
});

test('a tree flagpatch made is replaced on rerun, unless it holds anything the user made', () => {
  const { up, args, target } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  const head = git(target, ['rev-parse', 'HEAD']);
  assert.is(flagpatch(up.dir, args).code, 0, 'rerun over its own clean tree');
  assert.is(git(target, ['rev-parse', 'HEAD']), head);
  fs.appendFileSync(path.join(target, 'README.md'), 'local work\n');
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'holds work that replacing it would lose: changed file README.md');
  assert.match(fs.readFileSync(path.join(target, 'README.md'), 'utf8'), 'local work');
  write(target, { 'README.md': '# FlagScale\n', 'new-untracked.txt': 'x' });
  const u = flagpatch(up.dir, args);
  assert.is(u.code, 1, 'untracked files are the user\'s');
  assert.match(u.stderr, 'untracked file new-untracked.txt');
  assert.ok(fs.existsSync(path.join(target, 'new-untracked.txt')));
});

test('a rerun keeps the user\'s commits, ignored outputs and refs; only --force replaces the tree', () => {
  const { up, args, target } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  // A commit of the user's on top of the one flagpatch made.
  write(target, { 'train_notes.md': 'tuned lr\n' });
  git(target, ['add', 'train_notes.md']);
  git(target, ['commit', '-q', '-m', 'my experiment']);
  const mine = git(target, ['rev-parse', 'HEAD']);
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'not the commit flagpatch made');
  assert.is(git(target, ['rev-parse', 'HEAD']), mine, 'the commit is still there');
  git(target, ['reset', '-q', '--hard', 'HEAD~1']);
  // Checkpoints under an ignored folder: ignored files are work too.
  write(target, { '.git/info/exclude': 'checkpoints/\n', 'checkpoints/step1000.pt': 'weights' });
  const c = flagpatch(up.dir, args);
  assert.is(c.code, 1);
  assert.match(c.stderr, 'ignored file checkpoints/');
  assert.ok(fs.existsSync(path.join(target, 'checkpoints/step1000.pt')));
  fs.rmSync(path.join(target, 'checkpoints'), { recursive: true });
  // A branch of the user's.
  git(target, ['branch', 'experiment']);
  const b = flagpatch(up.dir, args);
  assert.is(b.code, 1);
  assert.match(b.stderr, 'the ref refs/heads/experiment');
  const f = flagpatch(up.dir, [...args, '--force']);
  assert.is(f.code, 0, f.stderr);
  assert.is(git(target, ['branch', '--list', 'experiment']), '', '--force replaced it');
});

test('a marker copied into another folder proves nothing; --dir inside .git is refused', () => {
  const { up, args, target, root } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  // Someone copies the marker into their own repository at another DIR.
  const other = path.join(root, 'elsewhere', 'A_X100', 'FlagScale');
  fs.mkdirSync(other, { recursive: true });
  git(other, ['init', '-q']);
  write(other, { 'mine.txt': 'mine\n' });
  fs.copyFileSync(path.join(target, '.git', 'flagpatch-tree.json'), path.join(other, '.git', 'flagpatch-tree.json'));
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', path.join(root, 'elsewhere')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'is not a tree flagpatch made (its marker names');
  assert.ok(fs.existsSync(path.join(other, 'mine.txt')));
  const g = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', '.git/build']);
  assert.is(g.code, 2);
  assert.match(g.stderr, "inside the repository's .git folder");
  assert.not.ok(fs.existsSync(path.join(up.dir, '.git', 'build')));
});

test('a patch that does not apply names the file and hunk and leaves no half-built tree', () => {
  const { up, args, root } = setup();
  // Upstream moves on and someone rewrites the patch against a file it no longer matches.
  const id = up.base.slice(0, 6);
  const file = path.join(up.dir, `hardwares/A_X100/${id}/${id}.patch`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('-    return 1', '-    return 42'));
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'flagscale/train.py');
  assert.match(r.stderr, /hunk at line \d+/);
  assert.not.ok(fs.existsSync(path.join(root, 'build')), 'nothing created under DIR');
});

test('--dir that would replace the repository itself is refused', () => {
  const { up } = setup();
  // DIR/<DEV>/<name> == the repository when DIR is two levels up and names match.
  const root = path.dirname(up.dir);
  fs.mkdirSync(path.join(root, 'A_X100'));
  fs.symlinkSync(up.dir, path.join(root, 'A_X100', 'FlagScale'));
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', root, '--force']);
  assert.is(r.code, 1);
  assert.ok(fs.existsSync(path.join(up.dir, '.git')), 'repository intact');
});

test.run();
