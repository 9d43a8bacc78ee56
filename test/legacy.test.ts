// Legacy patches of the original tool: `git format-patch base...current` mailboxes with many
// messages, in the same layout, are read and applied in order.
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, commitAll, flagpatch, fork, git, gitBuf, tmpdir, treeOf, upstream, write } from './helpers.js';

test.after.each(cleanup);

test('a multi-message format-patch mailbox gives one commit per message; check and status accept it', () => {
  const root = tmpdir();
  const up = upstream(root);
  const id = up.base.slice(0, 6);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { 'flagscale/train.py': 'def train():\n    return 2\n' });
  commitAll(v, 'first: kernels');
  write(v, { 'flagscale/train.py': 'def train():\n    return 3\n', 'flagscale/new.py': 'n = 1\n' });
  commitAll(v, 'second: more');
  write(v, { 'flagscale/old.py': null, 'bin.dat': Buffer.from([0, 1, 2, 0, 255]) });
  const head = commitAll(v, 'third: cleanup');
  const mbox = gitBuf(v, ['format-patch', '--stdout', '--binary', `${up.base}...HEAD`]);
  assert.is((mbox.toString('latin1').match(/^From [0-9a-f]{40} /gm) ?? []).length, 3);

  write(up.dir, { [`hardwares/A_X100/${id}/${id}.patch`]: mbox });
  commitAll(up.dir, 'legacy patch');
  const c = flagpatch(up.dir, ['check']);
  assert.is(c.code, 0, c.stdout + c.stderr);
  const s = flagpatch(up.dir, ['status', '--json']);
  assert.is(s.code, 0, s.stderr);
  const [row] = JSON.parse(s.stdout).patches;
  assert.equal([row.device, row.id, row.base, row.state, row.files], ['A_X100', id, up.base, 'fresh', 4]);

  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', id, '--dir', path.join(root, 'build')]);
  assert.is(r.code, 0, r.stderr);
  const tree = path.join(root, 'build/A_X100/FlagScale');
  assert.is(treeOf(tree, 'HEAD'), treeOf(v, head));
  assert.is(git(tree, ['log', '--format=%s|%an', `${up.base}..HEAD`]), 'third: cleanup|Vendor Engineer\nsecond: more|Vendor Engineer\nfirst: kernels|Vendor Engineer');
});

test.run();
