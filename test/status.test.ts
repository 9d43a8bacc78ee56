// `flagpatch status`: the human table keeps its columns aligned whatever the cell widths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, commitAll, flagpatch, tmpdir, upstreamWithPatch, write } from './helpers.js';

test.after.each(cleanup);

test('status: STATE starts under its header on every row, even when HETERO is "-"', () => {
  const up = upstreamWithPatch(tmpdir());
  const id = up.base.slice(0, 6);
  const r = flagpatch(up.dir, ['status']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n'), ['DEVICE  ID      BASE                     FILES  LINES  HETERO  STATE', `A_X100  ${id}  ${up.base.slice(0, 12)} 2026-01-02  1      +1 −2  -       fresh`, '']);

  // A second device with a hetero line: HETERO is wider than its header now.
  write(up.dir, { [`hardwares/B_Y100/${id}/${id}.patch`]: 'not a patch\n', 'hetero.txt': `${id}: A_X100 B_Y100\n` });
  commitAll(up.dir, 'B_Y100');
  const lines = flagpatch(up.dir, ['status']).stdout.trimEnd().split('\n');
  assert.is(lines.length, 3);
  const at = lines[0].indexOf('STATE');
  assert.equal(
    lines.map((l) => l.slice(at)),
    ['STATE', 'fresh', 'does-not-apply'],
  );
  assert.match(lines[1], / A_X100\+B_Y100 {2}fresh$/);
});

test.run();
