// Heterogeneous training: two vendors patch the same base; hetero.txt records them; unpatch
// materializes both, and refuses combinations hetero.txt does not list.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addCombination, parseHetero } from '../src/hetero.js';
import { accept, cleanup, commitAll, flagpatch, fork, git, tmpdir, treeOf, upstream, write } from './helpers.js';

test.after.each(cleanup);

test('hetero.txt: comments, blank lines, CRLF and combinations parse; each problem names its line', () => {
  const ok = parseHetero('# registry\n\naaaaaa: A_X100 B_Y100  # trained together\r\nbbbbbb: A_X100 C_Z1\n', 6);
  assert.equal(ok.problems, []);
  assert.equal(
    ok.combinations.map((c) => [c.line, c.id, c.devices]),
    [
      [3, 'aaaaaa', ['A_X100', 'B_Y100']],
      [4, 'bbbbbb', ['A_X100', 'C_Z1']],
    ],
  );
  const bad = parseHetero('aaaaaa A_X100\nzzzzzz: A B\naaaaaa: A_X100\naaaaaa: A-1 B\naaaaaa: A A\naaaaaa: A B\naaaaaa: B A\nabc: A B\n', 6);
  assert.equal(
    bad.problems.map((p) => p.line),
    [1, 2, 3, 4, 5, 7, 8],
  );
  for (const p of bad.problems) assert.ok(p.fix.length > 0);
});

test('addCombination extends a line that lists a subset, adds a line otherwise, keeps what holds', () => {
  const text = '# x\naaaaaa: A_X100 B_Y100\n';
  const h = parseHetero(text, 6);
  assert.is(addCombination(text, h, 'aaaaaa', ['B_Y100', 'A_X100']), text);
  assert.is(addCombination(text, h, 'aaaaaa', ['A_X100', 'B_Y100', 'C_Z1']), '# x\naaaaaa: A_X100 B_Y100 C_Z1\n');
  assert.is(addCombination(text, h, 'bbbbbb', ['A_X100', 'C_Z1']), `${text}bbbbbb: A_X100 C_Z1\n`);
  assert.is(addCombination('', parseHetero('', 6), 'bbbbbb', ['A', 'B']), 'bbbbbb: A B\n');
});

/** Upstream with A_X100's patch merged, and a B_Y100 fork of the same base. */
function twoVendors() {
  const root = tmpdir();
  const up = upstream(root);
  const id = up.base.slice(0, 6);
  const a = fork(up.dir, path.join(root, 'vendor-a'));
  write(a, { 'flagscale/train.py': 'def train():\n    return "A"\n', 'flagscale/a.py': 'A = 1\n' });
  const aHead = commitAll(a, 'A_X100 kernels');
  const ra = flagpatch(a, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base]);
  assert.is(ra.code, 0, ra.stderr);
  accept(up.dir, a, 'flagpatch/A_X100');

  const b = fork(up.dir, path.join(root, 'vendor-b'));
  git(b, ['checkout', '-q', '-b', 'vendor', up.base]);
  write(b, { 'flagscale/model.py': 'line B\n', 'flagscale/b.py': 'B = 1\n' });
  const bHead = commitAll(b, '[B] B_Y100 support');
  return { root, up, id, a, aHead, b, bHead };
}

test('the last device is patched now, on top of --onto holding the others; hetero.txt gains the line', () => {
  const { up, id, b, bHead, a, aHead } = twoVendors();
  const r = flagpatch(b, ['patch', '--device-type', 'A_X100', 'B_Y100', '--base-commit-id', id, '--onto', 'origin/main']);
  assert.is(r.code, 0, r.stderr);
  const sub = git(b, ['rev-parse', 'flagpatch/B_Y100']);
  assert.is(git(b, ['rev-parse', `${sub}^`]), git(up.dir, ['rev-parse', 'HEAD']));
  assert.is(git(b, ['show', `${sub}:hetero.txt`]), `${id}: A_X100 B_Y100`);
  assert.equal(
    git(b, ['diff-tree', '-r', '--name-only', `${sub}^`, sub])
      .split('\n')
      .sort(),
    [`hardwares/B_Y100/${id}/${id}.patch`, 'hetero.txt'],
  );
  assert.is(git(b, ['log', '-1', '--format=%s', sub]), '[B_Y100] B_Y100 support');
  assert.is(git(b, ['rev-parse', 'HEAD']), bHead, 'HEAD untouched');
  assert.is(git(b, ['symbolic-ref', 'HEAD']), 'refs/heads/vendor', 'current branch untouched');

  // Upstream takes it; a user materializes both trees of the combination.
  accept(up.dir, b, 'flagpatch/B_Y100');
  assert.is(flagpatch(up.dir, ['check']).code, 0);
  const u = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', 'B_Y100', '--commit-id', id, '--dir', 'build']);
  assert.is(u.code, 0, u.stderr);
  assert.is(treeOf(path.join(up.dir, 'build/A_X100/FlagScale'), 'HEAD'), treeOf(a, aHead));
  assert.is(treeOf(path.join(up.dir, 'build/B_Y100/FlagScale'), 'HEAD'), treeOf(b, bHead));
});

test('hetero patch refuses when another device has no patch at this base in --onto', () => {
  const { b, id } = twoVendors();
  const r = flagpatch(b, ['patch', '--device-type', 'C_Z1', 'B_Y100', '--base-commit-id', id, '--onto', 'origin/main']);
  assert.is(r.code, 1);
  assert.match(r.stderr, `C_Z1 has no patch at ${id}`);
  assert.match(r.stderr, 'fix:');
  assert.not.ok(git(b, ['branch', '--list', 'flagpatch/*']), 'no branch written');
});

test('unpatch of a combination hetero.txt does not list: exit 1, nothing created', () => {
  const { up, b, id } = twoVendors();
  // B_Y100 is patched alone (no hetero line), then merged upstream.
  assert.is(flagpatch(b, ['patch', '--device-type', 'B_Y100', '--base-commit-id', id, '--onto', 'origin/main']).code, 0);
  accept(up.dir, b, 'flagpatch/B_Y100');
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', 'B_Y100', '--commit-id', id, '--dir', 'build']);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'hetero.txt does not list A_X100 B_Y100 together');
  assert.not.ok(fs.existsSync(path.join(up.dir, 'build')), 'nothing created');
  // Several devices without --dir is bad usage.
  const n = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', 'B_Y100', '--commit-id', id]);
  assert.is(n.code, 2);
  assert.match(n.stderr, '--dir');
});

test.run();
