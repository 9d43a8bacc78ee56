// Bad input gets a clear answer with the SPEC's exit code: device names, IDs, flags, revisions.
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accept, cleanup, commitAll, flagpatch, fork, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

function repoWithPatches() {
  const root = tmpdir();
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { 'flagscale/train.py': 'changed\n' });
  commitAll(v, 'vendor');
  return { root, up, v };
}

/** No stack trace, a message and a fix line. */
function clear(stderr: string) {
  assert.not.match(stderr, /\n\s+at /, 'no stack trace');
  assert.match(stderr, /^flagpatch: error: /);
  assert.match(stderr, /\n {2}fix: /);
}

for (const bad of ['../x', 'a b', '', 'A/X', '-x']) {
  test(`bad device name ${JSON.stringify(bad)} is bad usage (exit 2) for patch and unpatch`, () => {
    const { v, up } = repoWithPatches();
    for (const args of [
      ['patch', `--device-type=${bad}`, '--base-commit-id', up.base],
      ['unpatch', `--device-type=${bad}`, '--commit-id', up.base.slice(0, 6), '--dir', 'build'],
    ]) {
      const r = flagpatch(v, args);
      assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      clear(r.stderr);
      assert.match(r.stderr, 'bad device type');
    }
  });
}

test('unknown and ambiguous IDs are refused (exit 1), naming the IDs there are', () => {
  const { v, up } = repoWithPatches();
  write(v, {
    'hardwares/A_X100/abc123/abc123.patch': 'x',
    'hardwares/A_X100/abc456/abc456.patch': 'x',
  });
  const amb = flagpatch(v, ['unpatch', '--device-type', 'A_X100', '--commit-id', 'abc', '--dir', 'build']);
  assert.is(amb.code, 1);
  clear(amb.stderr);
  assert.match(amb.stderr, 'ambiguous');
  assert.match(amb.stderr, 'abc123, abc456');
  const unknown = flagpatch(v, ['unpatch', '--device-type', 'A_X100', '--commit-id', 'fff000', '--dir', 'build']);
  assert.is(unknown.code, 1);
  clear(unknown.stderr);
  assert.match(unknown.stderr, 'no A_X100 patch for --commit-id fff000');
  assert.match(unknown.stderr, 'abc123, abc456');
  const none = flagpatch(v, ['unpatch', '--device-type', 'Z_9', '--commit-id', up.base.slice(0, 6), '--dir', 'build']);
  assert.is(none.code, 1);
  assert.match(none.stderr, 'Z_9 has no patch under hardwares/Z_9/');
  const malformed = flagpatch(v, ['unpatch', '--device-type', 'A_X100', '--commit-id', '../abc', '--dir', 'build']);
  assert.is(malformed.code, 2);
  clear(malformed.stderr);
});

test('a full base sha or a prefix longer than the folder name selects the patch', () => {
  const { v, up, root } = repoWithPatches();
  assert.is(flagpatch(v, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base]).code, 0);
  accept(up.dir, v, 'flagpatch/A_X100');
  for (const [i, id] of [up.base, up.base.slice(0, 10), up.base.slice(0, 4)].entries()) {
    const u = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', id, '--dir', path.join(root, `b${i}`)]);
    assert.is(u.code, 0, u.stderr);
  }
  const wrong = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', `${up.base.slice(0, 6)}ffff`, '--dir', path.join(root, 'bx')]);
  assert.is(wrong.code, 1, 'a longer id must match the base, not just the folder name');
});

test('unknown options, missing values, unknown commands and revisions are bad usage (exit 2)', () => {
  const { v } = repoWithPatches();
  for (const args of [
    ['patch', '--device', 'A_X100'],
    ['patch', '--device-type'],
    ['patch', '--device-type', 'A_X100', '--base-commit-id', 'no-such-rev'],
    ['patch', '--device-type', 'A_X100', '--base-commit-id', '--onto'],
    ['frobnicate'],
    ['check', 'a', 'b'],
    ['status', '--json=yes'],
  ]) {
    const r = flagpatch(v, args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    clear(r.stderr);
  }
  const help = flagpatch(v, ['patch', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, '--current-commit-id');
  assert.is(flagpatch(v, ['--help']).code, 0);
  assert.is(flagpatch(v, []).code, 2);
});

test('no device and none configured, outside a repository: clear refusals', () => {
  const { v, root } = repoWithPatches();
  const r = flagpatch(v, ['patch', '--base-commit-id', 'HEAD~1']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'no device type given and none configured');
  const out = flagpatch(root, ['check']);
  assert.is(out.code, 1);
  assert.match(out.stderr, 'not inside a git work tree');
});

test.run();
