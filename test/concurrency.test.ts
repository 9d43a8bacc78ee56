// Two flagpatch processes in one repository at once: both succeed, or one waits or refuses
// clearly; never a corrupt index.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ENV, cleanup, flagpatch, fork, git, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

function start(cwd: string, cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: ENV });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

function vendor() {
  const root = tmpdir();
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }), 'flagscale/train.py': 'vendor\n' });
  for (let i = 0; i < 30; i++) write(v, { [`flagscale/m${i}.py`]: `m = ${i}\n`.repeat(40) });
  git(v, ['add', '-A']);
  return { root, up, v };
}

function healthy(dir: string): void {
  git(dir, ['ls-files', '-s']); // reads the whole index: fails on a corrupt one
  const fsck = git(dir, ['fsck', '--no-dangling', '--no-progress']);
  assert.not.match(fsck, /error|missing|broken/i);
  assert.not.ok(fs.existsSync(path.join(dir, '.git', 'index.lock')), 'no stale index.lock');
}

test('two refreshes at once: both succeed and the index holds the right patch', async () => {
  const { v } = vendor();
  for (let round = 0; round < 5; round++) {
    write(v, { 'flagscale/train.py': `vendor ${round}\n` });
    git(v, ['add', '-A']);
    const [a, b] = await Promise.all([start(v, process.execPath, [CLI, 'refresh']), start(v, process.execPath, [CLI, 'refresh'])]);
    for (const r of [a, b]) assert.ok(r.code === 0 || (r.code === 1 && /fix: /.test(r.out)), r.out);
    assert.ok(a.code === 0 || b.code === 0, 'at least one succeeds');
    healthy(v);
    const again = flagpatch(v, ['refresh']);
    assert.is(again.code, 0);
    assert.is(again.stdout, '', 'the staged patch is already the right one');
  }
});

test('a commit (with the refresh hook) while unpatch --dir runs: both succeed', async () => {
  const { root, v } = vendor();
  const hooks = path.join(root, 'hooks');
  fs.mkdirSync(hooks);
  fs.writeFileSync(path.join(hooks, 'pre-commit'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" hook pre-commit\n`, { mode: 0o755 });
  git(v, ['config', 'core.hooksPath', hooks]);
  git(v, ['commit', '-q', '-m', 'vendor']);
  for (let round = 0; round < 4; round++) {
    write(v, { [`flagscale/round${round}.py`]: `r = ${round}\n` });
    git(v, ['add', '-A']);
    const out = path.join(root, `out${round}`);
    const [u, c] = await Promise.all([start(v, process.execPath, [CLI, 'unpatch', '--dir', out]), start(v, 'git', ['commit', '-q', '-m', `round ${round}`])]);
    assert.is(c.code, 0, c.out);
    assert.is(u.code, 0, u.out);
    healthy(v);
    assert.ok(fs.existsSync(path.join(out, 'A_X100', 'vendor', 'flagscale', 'train.py')));
    assert.is(git(v, ['status', '--porcelain']), '');
  }
  assert.is(flagpatch(v, ['check']).code, 0);
});

test.run();
