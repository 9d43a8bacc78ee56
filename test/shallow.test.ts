// CI checks out one commit deep: a patch's base is then missing. check says so and gives the
// fetch that brings it; after running that very command, the check passes.
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, git, tmpdir, upstreamWithPatch } from './helpers.js';

test.after.each(cleanup);

test('a shallow clone lacking the base: the problem says shallow, the fix is the fetch that works', () => {
  const root = tmpdir();
  const up = upstreamWithPatch(root);
  const id = up.base.slice(0, 6);
  const ci = path.join(root, 'ci');
  git(root, ['clone', '-q', '--depth', '1', `file://${up.dir}`, ci]);
  const r = flagpatch(ci, ['check']);
  assert.is(r.code, 1, r.stdout);
  const fetch = `git fetch --depth=1 origin ${up.base}`;
  assert.equal(r.stdout.split('\n').slice(1), [`✗ hardwares/A_X100/${id}/${id}.patch: its base ${up.base} is not in this shallow clone (its history is cut short)`, `    fix: ${fetch}`, '']);
  git(ci, fetch.split(' ').slice(1));
  const ok = flagpatch(ci, ['check']);
  assert.is(ok.code, 0, ok.stdout);
});

test.run();
