// A SHA-256 repository (git init --object-format=sha256): object ids are 64 hex digits, and
// every command takes them — patch, the pre-commit refresh, check, status, unpatch --dir.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ENV, cleanup, commitAll, flagpatch, fork, git, tmpdir, write } from './helpers.js';

test.after.each(cleanup);

test('a SHA-256 fork: patch, refresh by a real commit, check, status and unpatch --dir all work', () => {
  const root = tmpdir();
  const up = path.join(root, 'FlagScale');
  fs.mkdirSync(up);
  git(up, ['init', '-q', '-b', 'main', '--object-format=sha256']);
  write(up, { 'README.md': '# FlagScale\n', 'flagscale/train.py': 'def train():\n    return 1\n', 'flagscale/old.py': 'old\n' });
  const base = commitAll(up, 'upstream base');
  assert.is(base.length, 64);
  const id = base.slice(0, 6);
  const file = `hardwares/A_X100/${id}/${id}.patch`;

  const v = fork(up, path.join(root, 'vendor'));
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: base }), 'flagscale/train.py': 'vendor 1\n', 'flagscale/old.py': null });
  commitAll(v, 'vendor');
  const p = flagpatch(v, ['patch']);
  assert.is(p.code, 0, p.stderr);
  const mailbox = git(v, ['show', `flagpatch/A_X100:${file}`]);
  assert.match(mailbox, `Flagpatch-Base: ${base}`);

  // The pre-commit refresh, through a real commit with flagpatch as the hook.
  const hooks = path.join(root, 'hooks');
  write(hooks, { 'pre-commit': `#!/bin/sh\nexec "${process.execPath}" "${path.resolve('dist/src/cli.js')}" hook pre-commit\n` });
  fs.chmodSync(path.join(hooks, 'pre-commit'), 0o755);
  git(v, ['config', 'core.hooksPath', hooks]);
  write(v, { 'flagscale/train.py': 'vendor 2\n' });
  git(v, ['add', '-A']);
  git(v, ['commit', '-q', '-m', 'vendor 2']);
  assert.is(git(v, ['show', `HEAD:${file}`]).includes('+vendor 2'), true, 'the commit holds the refreshed patch');

  const c = flagpatch(v, ['check']);
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, `flagpatch check: HEAD (${git(v, ['rev-parse', 'HEAD']).slice(0, 12)}): ok (1 patch applies`);
  const s = flagpatch(v, ['status']);
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, new RegExp(`^A_X100 +${id} +${base.slice(0, 12)} 2026-01-02 +2 +\\+1 −3 +- +fresh$`, 'm'), s.stdout);

  // pre-push reads 64-digit ids from git.
  const head = git(v, ['rev-parse', 'HEAD']);
  const zero = '0'.repeat(64);
  const pp = spawnPrePush(v, `refs/heads/main ${head} refs/heads/main ${zero}\n`);
  assert.is(pp.code, 0, pp.stderr);

  const u = flagpatch(v, ['unpatch', '--commit-id', base.slice(0, 10), '--dir', path.join(root, 'build')]);
  assert.is(u.code, 0, u.stderr);
  const tree = path.join(root, 'build', 'A_X100', 'vendor');
  assert.is(fs.readFileSync(path.join(tree, 'flagscale/train.py'), 'utf8'), 'vendor 2\n');
  assert.not.ok(fs.existsSync(path.join(tree, 'flagscale/old.py')));
  assert.is(git(tree, ['rev-parse', 'HEAD~1']), base);
});

/** The pre-push hook with git's ref lines on stdin (flagpatch() gives it none). */
function spawnPrePush(cwd: string, input: string) {
  const r = spawnSync(process.execPath, [CLI, 'hook', 'pre-push', 'origin', 'url'], { cwd, env: ENV, input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test.run();
