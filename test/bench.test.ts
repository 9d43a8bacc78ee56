// A smoke run of the benchmark, so it never rots (the full run is `npm run bench`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, cleanup, tmpdir } from './helpers.js';

test.after.each(cleanup);

test('npm run bench works end to end on tiny repositories and writes its report, trace and chart', () => {
  const out = path.join(tmpdir(), 'BENCHMARKS.md');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/scripts/bench.js'), '--sizes', '300', '--runs', '1', '--check-files', '200', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const md = fs.readFileSync(out, 'utf8');
  for (const m of ['pre-commit hook (git hook run)', 'git commit, hooks on vs off', 'flagpatch patch', 'flagpatch unpatch --dir']) assert.match(md, `| 300 | ${m} |`);
  assert.match(md, '| 200 | flagpatch check, 12 devices × 3 bases |');
  assert.match(md, 'Machine load');
  assert.match(md, 'flagpatch trace:');
  assert.match(md, 'Rerun: `npm run bench`');
  assert.match(fs.readFileSync(path.join(path.dirname(out), 'benchmarks.svg'), 'utf8'), '<polyline');
});

test.run();
