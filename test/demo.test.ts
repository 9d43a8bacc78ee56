// `npm run demo` is the README's main job on an embedded sample: it must run to its end.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENV, ROOT } from './helpers.js';

test('the demo runs every step to the end, each with the exit code it expects', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'demo.js')], { cwd: ROOT, env: ENV, encoding: 'utf8' });
  assert.is(r.status, 0, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, 'Done. Pass --keep to keep the sample repositories.');
  assert.match(r.stdout, '$ (vendor-A) flagpatch rebase --onto upstream/main');
});

test.run();
