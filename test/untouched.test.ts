// The user's work tree, index, stash, HEAD and branches are as before after every command,
// successful or refused, with an uncommitted edit and an untracked file present; unpatch
// --dir adds nothing to the source repository, not even under .git/; nothing is left in TMPDIR.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, commitAll, dirty, flagpatch, fork, git, gitDirListing, snapshot, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

function setup() {
  const root = tmpdir();
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { 'flagscale/train.py': 'vendor\n', '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }) });
  commitAll(v, 'vendor');
  git(v, ['stash', 'push', '-q', '--include-untracked', '-m', 'an old stash'], {});
  return { root, tmp, up, v };
}

test('patch, check, status and refused commands leave everything of the user as it was', () => {
  const { v, tmp, up } = setup();
  dirty(v);
  const before = snapshot(v);
  const env = { TMPDIR: tmp };
  const runs = [
    ['patch', '--base-commit-id', up.base],
    ['check'],
    ['check', '--json'],
    ['status'],
    ['patch', '--device-type', 'A_X100', 'B_Y100'], // refused: B has no patch
    ['unpatch', '--commit-id', 'ffffff', '--dir', 'build'], // refused: unknown ID
    ['unpatch'], // refused: dirty work tree (no --dir)
  ];
  for (const args of runs) {
    const r = flagpatch(v, args, env);
    assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: ${r.stderr}`);
    const after = snapshot(v);
    // Only patch adds its branch; everything else is identical.
    after.refs = after.refs
      .split('\n')
      .filter((l) => !l.startsWith('refs/heads/flagpatch/'))
      .join('\n');
    assert.equal(after, before, `after ${args.join(' ')}`);
    assert.equal(fs.readdirSync(tmp), [], `temporary files left by ${args.join(' ')}`);
  }
  assert.ok(git(v, ['rev-parse', '--verify', 'flagpatch/A_X100']));
});

test('unpatch --dir adds no branch, stash, object or file to the source repository', () => {
  const { v, tmp, root } = setup();
  assert.is(flagpatch(v, ['patch']).code, 0);
  // Put the patch in the vendor's work tree as a committed file (as the hook does).
  git(v, ['checkout', '-q', 'flagpatch/A_X100', '--', 'hardwares']);
  git(v, ['commit', '-q', '--no-verify', '-m', 'patch']);
  dirty(v);
  const before = snapshot(v);
  const gitDir = gitDirListing(v);
  const r = flagpatch(v, ['unpatch', '--dir', path.join(root, 'out')], { TMPDIR: tmp });
  assert.is(r.code, 0, r.stderr);
  assert.equal(snapshot(v), before);
  assert.equal(gitDirListing(v), gitDir);
  assert.equal(fs.readdirSync(tmp), []);
  assert.equal(fs.readdirSync(path.join(root, 'out')), ['A_X100']);
  assert.equal(fs.readdirSync(path.join(root, 'out', 'A_X100')), ['vendor']);
});

test('unpatch without --dir: a new branch in place from a clean tree; refused on a dirty one', () => {
  const { v, up } = setup();
  assert.is(flagpatch(v, ['patch']).code, 0);
  git(v, ['checkout', '-q', 'flagpatch/A_X100', '--', 'hardwares']);
  const vendorTree = git(v, ['rev-parse', 'HEAD^{tree}']);
  git(v, ['commit', '-q', '--no-verify', '-m', 'patch']);
  fs.appendFileSync(path.join(v, 'README.md'), 'edit\n');
  const before = snapshot(v);
  const refused = flagpatch(v, ['unpatch']);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'the work tree has uncommitted changes (README.md); unpatch without --dir');
  assert.equal(snapshot(v), before, 'nothing changed');
  git(v, ['checkout', '-q', '--', 'README.md']);
  const r = flagpatch(v, ['unpatch']);
  assert.is(r.code, 0, r.stderr);
  const id = up.base.slice(0, 6);
  assert.is(git(v, ['symbolic-ref', '--short', 'HEAD']), `A_X100-${id}`);
  assert.is(git(v, ['rev-parse', 'HEAD^']), up.base);
  // The vendor code, without the owned paths the vendor branch also holds.
  assert.is(git(v, ['diff', '--stat', vendorTree, 'HEAD', '--', '.', ':!hardwares', ':!.flagpatchrc.json']), '');
  assert.is(git(v, ['status', '--porcelain']), '');
  git(v, ['checkout', '-q', 'main']);
  const again = flagpatch(v, ['unpatch']);
  assert.is(again.code, 1);
  assert.match(again.stderr, 'already exists');
});

test.run();
