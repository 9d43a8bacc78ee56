// Every kind of change listed under "The patch file" survives patch → apply / am / unpatch.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accept, cleanup, commitAll, flagpatch, fork, git, gitBuf, tmpdir, treeOf, upstream, write } from './helpers.js';

const BINARY = Buffer.from([0, 1, 2, 3, 255, 254, 0, 10, 13, 10, 0, 128, 7]);

function vendorFork() {
  const root = tmpdir();
  const up = upstream(root);
  const dir = fork(up.dir, path.join(root, 'fork'));
  write(dir, {
    'flagscale/train.py': 'def train():\n    return 2  # A_X100 kernel\n', // edit
    'flagscale/a_x100.py': 'DEVICE = "A_X100"\n', // add
    'flagscale/old.py': null, // delete
    'flagscale/moved.py': null,
    'flagscale/renamed.py': 'moved = 1\n' + 'x = 2\n'.repeat(10), // rename
    'flagscale/blob.bin': BINARY, // binary
    'flagscale/nonl.txt': 'no final newline', // no final newline
    'flagscale/crlf.txt': 'one\r\ntwo\r\n', // CRLF
    'flagscale/with space ü 名.py': 'x = "ü"\n', // spaces and non-ASCII
  });
  fs.chmodSync(path.join(dir, 'tools/run.sh'), 0o755); // chmod +x
  fs.symlinkSync('train.py', path.join(dir, 'flagscale/link.py')); // symlink
  const head = commitAll(dir, '[WIP] adapt to A_X100');
  return { root, up, dir, head };
}

test.after.each(cleanup);

test('patch holds every kind of change and reproduces the vendor tree exactly', () => {
  const { root, up, dir, head } = vendorFork();
  const r = flagpatch(dir, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base]);
  assert.is(r.code, 0, r.stderr);
  const id = up.base.slice(0, 6);
  const file = `hardwares/A_X100/${id}/${id}.patch`;
  assert.match(r.stdout, file);
  assert.match(r.stdout, 'git push <remote> flagpatch/A_X100');

  // The submission commit: parent = base, tree = base tree + the patch and nothing else.
  const commit = git(dir, ['rev-parse', 'flagpatch/A_X100']);
  assert.is(git(dir, ['rev-parse', `${commit}^`]), up.base);
  assert.is(git(dir, ['diff-tree', '-r', '--name-only', up.base, commit]), file);
  assert.is(git(dir, ['log', '-1', '--format=%s', commit]), '[A_X100] adapt to A_X100');

  const text = gitBuf(dir, ['show', `${commit}:${file}`]);
  const s = text.toString('latin1');
  assert.ok(s.startsWith('From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Vendor Engineer <eng@vendor.example>\n'));
  assert.match(s, 'Subject: [PATCH] [A_X100] adapt to A_X100\n');
  assert.match(s, `Flagpatch-Base: ${up.base}\n`);
  assert.match(s, 'Flagpatch-Device: A_X100\n');
  assert.match(s, ' 10 files changed');
  for (const kind of [
    'rename from flagscale/moved.py',
    'old mode 100644\nnew mode 100755',
    'new file mode 120000',
    'GIT binary patch',
    '\\ No newline at end of file',
    '+one\r\n',
    'deleted file mode 100644',
  ]) {
    assert.ok(s.includes(kind), `patch lacks ${JSON.stringify(kind)}`);
  }
  assert.ok(text.includes(Buffer.from('with space ü 名.py')), 'non-ASCII name is written as UTF-8');

  // Plain git apply on a checkout of the base gives the vendor tree.
  const applied = path.join(root, 'applied');
  git(root, ['clone', '-q', '--no-checkout', up.dir, applied]);
  git(applied, ['-c', 'core.autocrlf=false', 'checkout', '-q', up.base]);
  fs.writeFileSync(path.join(root, 'p.patch'), text);
  git(applied, ['apply', '--index', path.join(root, 'p.patch')]);
  assert.is(git(applied, ['write-tree']), treeOf(dir, head));

  // git am --keep-cr too (-b keeps the [A_X100] tag, which plain am strips from subjects).
  const am = path.join(root, 'am');
  git(root, ['clone', '-q', up.dir, am]);
  git(am, ['-c', 'core.autocrlf=false', 'am', '-q', '--keep-cr', '--keep-non-patch', path.join(root, 'p.patch')]);
  assert.is(treeOf(am, 'HEAD'), treeOf(dir, head));
  assert.is(git(am, ['log', '-1', '--format=%an <%ae>|%s']), 'Vendor Engineer <eng@vendor.example>|[A_X100] adapt to A_X100');
});

test('the patch is deterministic: same base, tree, device and message give the same bytes', () => {
  const { up, dir } = vendorFork();
  const id = up.base.slice(0, 6);
  const file = `hardwares/A_X100/${id}/${id}.patch`;
  assert.is(flagpatch(dir, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base]).code, 0);
  const first = git(dir, ['rev-parse', `flagpatch/A_X100:${file}`]);
  assert.is(flagpatch(dir, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base], { GIT_COMMITTER_DATE: '2030-01-01T00:00:00Z' }).code, 0);
  assert.is(git(dir, ['rev-parse', `flagpatch/A_X100:${file}`]), first);
});

test('unpatch --dir materializes exactly the vendor files: modes, symlinks, bytes', () => {
  const { root, up, dir, head } = vendorFork();
  assert.is(flagpatch(dir, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base]).code, 0);
  // Upstream merges the submission; a user materializes from upstream.
  accept(up.dir, dir, 'flagpatch/A_X100');
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', path.join(root, 'build')]);
  assert.is(r.code, 0, r.stderr);
  const tree = path.join(root, 'build', 'A_X100', 'FlagScale');
  assert.is(treeOf(tree, 'HEAD'), treeOf(dir, head));
  assert.is(git(tree, ['rev-parse', 'HEAD^']), up.base);
  assert.is(git(tree, ['rev-list', '--count', 'HEAD']), '2');
  assert.is(git(tree, ['status', '--porcelain', '--ignored']), '');
  assert.is(git(tree, ['for-each-ref', '--format=%(refname)']), `refs/heads/A_X100-${up.base.slice(0, 6)}`);
  assert.is(git(tree, ['remote']), '');
  assert.equal(fs.readFileSync(path.join(tree, 'flagscale/blob.bin')), BINARY);
  assert.is(fs.readFileSync(path.join(tree, 'flagscale/crlf.txt'), 'utf8'), 'one\r\ntwo\r\n');
  assert.is(fs.readFileSync(path.join(tree, 'flagscale/nonl.txt'), 'utf8'), 'no final newline');
  assert.is(fs.readlinkSync(path.join(tree, 'flagscale/link.py')), 'train.py');
  assert.ok(fs.statSync(path.join(tree, 'tools/run.sh')).mode & 0o100, 'exec bit kept');
  assert.ok(fs.existsSync(path.join(tree, 'flagscale/with space ü 名.py')));
  assert.not.ok(fs.existsSync(path.join(tree, 'flagscale/old.py')));
  assert.not.ok(fs.existsSync(path.join(tree, 'hardwares')), 'the materialized tree is the base tree plus the patch: no patch folder');
  // The same patch gives the same commit, wherever and whenever it is materialized.
  const again = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', path.join(root, 'build2')], { GIT_COMMITTER_DATE: '2031-01-01T00:00:00Z' });
  assert.is(again.code, 0, again.stderr);
  assert.is(git(path.join(root, 'build2', 'A_X100', 'FlagScale'), ['rev-parse', 'HEAD']), git(tree, ['rev-parse', 'HEAD']));
});

test.run();
