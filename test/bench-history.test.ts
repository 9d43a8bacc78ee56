// A smoke run of the history benchmark, so it never rots (the full run is `npm run bench:history`).
// It also checks what the benchmark checks: after a rebase with the hooks on, and after one
// with `-x 'flagpatch refresh --amend'`, every commit holds a fresh patch.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, cleanup, tmpdir } from './helpers.js';

test.after.each(cleanup);

test('npm run bench:history works end to end on a tiny repository and writes its table', () => {
  const out = path.join(tmpdir(), 'history.md');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/scripts/bench-history.js'), '--size', '200', '--runs', '1', '--commits', '2', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const md = fs.readFileSync(out, 'utf8');
  for (const row of ['| git merge of a vendor branch |', '| 2-commit rebase, hooks on (post-rewrite) vs off (stale) |', '| 2-commit rebase, hooks on vs refresh + amend per commit by hand |'])
    assert.match(md, row);
  assert.match(md, 'Rerun: `npm run bench:history`');
});

test.run();
