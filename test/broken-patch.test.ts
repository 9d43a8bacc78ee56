// A patch that no longer applies on its base: `check` and the pre-push refusal each print one
// line naming the patch once, the reason, and the fix (the whole lines are compared).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ENV, cleanup, commitAll, flagpatch, tmpdir, upstreamWithPatch } from './helpers.js';

test.after.each(cleanup);

test('check and pre-push name a patch that does not apply once, with the hunk and the fix', () => {
  const up = upstreamWithPatch(tmpdir());
  const id = up.base.slice(0, 6);
  const file = `hardwares/A_X100/${id}/${id}.patch`;
  const p = path.join(up.dir, file);
  fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace('-    return 1', '-    return 7'));
  const head = commitAll(up.dir, 'corrupt');
  const problem = `✗ ${file}: does not apply on its base ${up.base.slice(0, 12)}: flagscale/train.py: the hunk at line 1 does not match`;
  const fix = '    fix: regenerate it from the vendor tree with `flagpatch patch` (or commit in the fork, whose hook refreshes it)';

  const r = flagpatch(up.dir, ['check']);
  assert.is(r.code, 1);
  assert.equal(r.stdout.split('\n'), [`flagpatch check: HEAD (${head.slice(0, 12)}): 1 problem`, problem, fix, '']);

  // The pre-push hook of a fork configured for A_X100 (the pushed commit's config decides).
  fs.writeFileSync(path.join(up.dir, '.flagpatchrc.json'), JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }));
  const pushed = commitAll(up.dir, 'configure A_X100');
  const zero = '0'.repeat(40);
  const hook = spawnSync(process.execPath, [CLI, 'hook', 'pre-push', 'origin', 'url'], {
    cwd: up.dir,
    env: ENV,
    input: `refs/heads/main ${pushed} refs/heads/main ${zero}\n`,
    encoding: 'utf8',
  });
  assert.is(hook.status, 1);
  assert.equal(hook.stderr.split('\n'), [
    `flagpatch: push refused: refs/heads/main (${pushed.slice(0, 12)}) has 1 problem`,
    problem,
    fix,
    'flagpatch: fix these and push again (FLAGPATCH_SKIP=1 skips the check)',
    '',
  ]);
});

test.run();
