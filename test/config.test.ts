// Configuration: every place cosmiconfig looks, every key honoured, every problem reported at
// once with file, key, expected and found (exit 2); the shipped schema knows the same keys.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, commitAll, flagpatch, fork, git, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

function vendor() {
  const root = tmpdir();
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { 'flagscale/train.py': 'vendor\n', 'generated/cache.bin': 'x', 'flagscale/local.cfg': 'y' });
  commitAll(v, 'vendor');
  return { root, up, v };
}

test('bad values are refused all at once: file, key, expected and found (exit 2)', () => {
  const { v } = vendor();
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A X', idLength: 2, patchDir: '../out', exclude: 'x', color: true }) });
  const r = flagpatch(v, ['check']);
  assert.is(r.code, 2);
  for (const part of [
    '.flagpatchrc.json: 5 problems',
    'deviceType: expected a device name',
    'found the string "A X"',
    'idLength: expected a whole number from 4 to 40, found number 2',
    'patchDir: expected a relative path',
    'exclude: expected a list',
    'color: unknown key',
  ]) {
    assert.match(r.stderr, part);
  }
  assert.not.match(r.stderr, /\n\s+at /);
});

test('a config file that is not valid JSON is bad config (exit 2) naming the file', () => {
  const { v } = vendor();
  write(v, { '.flagpatchrc.json': '{ "deviceType": ' });
  const r = flagpatch(v, ['status']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '.flagpatchrc.json');
});

test('config in package.json or YAML; patchDir, idLength, exclude and name are honoured', () => {
  const { v, up, root } = vendor();
  write(v, { 'package.json': JSON.stringify({ name: 'fork', flagpatch: { deviceType: 'A_X100', baseCommit: up.base, patchDir: 'vendor-patches', idLength: 8, exclude: ['generated', '*.cfg'], name: 'FS' } }) });
  commitAll(v, 'config');
  const r = flagpatch(v, ['patch', '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const id = up.base.slice(0, 8);
  assert.is(result.patchPath, `vendor-patches/A_X100/${id}/${id}.patch`);
  const text = git(v, ['show', `flagpatch/A_X100:${result.patchPath}`]);
  assert.match(text, 'flagscale/train.py');
  assert.not.match(text, 'generated/cache.bin');
  assert.not.match(text, 'local.cfg');
  assert.not.match(text, 'package.json', 'the config file is owned');
  git(v, ['checkout', '-q', 'flagpatch/A_X100', '--', 'vendor-patches']);
  commitAll(v, 'patch');
  const u = flagpatch(v, ['unpatch', '--dir', path.join(root, 'out')]);
  assert.is(u.code, 0, u.stderr);
  assert.ok(fs.existsSync(path.join(root, 'out', 'A_X100', 'FS', 'flagscale', 'train.py')));

  fs.rmSync(path.join(v, 'package.json'));
  write(v, { '.flagpatchrc.yaml': `deviceType: B_Y100\nbaseCommit: ${up.base}\n` });
  const y = flagpatch(v, ['patch', '--json']);
  assert.is(y.code, 0, y.stderr);
  assert.is(JSON.parse(y.stdout).device, 'B_Y100');
});

test('a vendor tree git cannot reproduce from the base is refused by the round trip (exit 1, nothing written)', () => {
  const root = tmpdir();
  const up = upstream(root);
  write(up.dir, { 'data/x': 'x\n', 'data/keep': 'k\n' });
  const base = commitAll(up.dir, 'data');
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { '.flagpatchrc.json': JSON.stringify({ exclude: ['data/keep'] }) });
  fs.rmSync(path.join(v, 'data'), { recursive: true });
  write(v, { data: 'now a file\n' });
  commitAll(v, 'folder becomes a file');
  const r = flagpatch(v, ['patch', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'would not reproduce the vendor tree');
  assert.match(r.stderr, 'nothing was written');
  assert.is(git(v, ['branch', '--list', 'flagpatch/*']), '');
});

test.run();
