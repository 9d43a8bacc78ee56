// What the pre-commit hook costs in git processes (FLAGPATCH_TRACE=1 lists each one): one
// `rev-parse` to start, one long-lived `cat-file --batch` for every object read, the diff, and
// one `update-index` to stage the patch — the round trip is verified in process and the patch
// blob written from node. No time is asserted; the staged patch is checked with git alone.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, fork, git, gitBuf, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

const processes = (stderr: string) =>
  stderr
    .split('\n')
    .map((l) => /^flagpatch trace: [\d.]+ ms git (\S+)/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();

test('after the first patch the hook starts four git processes, and the patch it stages gives the staged tree when applied to the base', () => {
  const root = tmpdir();
  const up = upstream(root);
  const dir = fork(up.dir, path.join(root, 'fork'));
  write(dir, {
    '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }),
    'flagscale/train.py': 'def train():\n    return 2  # A_X100\n',
    'flagscale/kernel.py': 'KERNEL = 1\n',
    'flagscale/blob.bin': Buffer.from([0, 1, 2, 255, 0, 10]),
    'flagscale/old.py': null,
    'flagscale/moved.py': null,
    'flagscale/moved/here.py': 'moved = 1\n' + 'x = 2\n'.repeat(10),
  });
  fs.chmodSync(path.join(dir, 'tools/run.sh'), 0o755);
  git(dir, ['add', '-A']);

  // The first patch: its author comes from `git var GIT_AUTHOR_IDENT`.
  const first = flagpatch(dir, ['hook', 'pre-commit'], { FLAGPATCH_TRACE: '1' });
  assert.is(first.code, 0, first.stderr);
  const id = up.base.slice(0, 6);
  const file = `hardwares/A_X100/${id}/${id}.patch`;
  assert.is(first.stdout, `flagpatch: updated ${file} (6 files, +2 −2)\n`);
  assert.equal(processes(first.stderr), ['cat-file', 'diff-index', 'rev-parse', 'update-index', 'var']);
  git(dir, ['commit', '-q', '--no-verify', '-m', 'adapt']);

  // Every commit after it: four processes.
  write(dir, { 'flagscale/kernel.py': 'KERNEL = 2\n' });
  git(dir, ['add', '-A']);
  const r = flagpatch(dir, ['hook', 'pre-commit'], { FLAGPATCH_TRACE: '1' });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `flagpatch: updated ${file} (6 files, +2 −2)\n`);
  assert.equal(processes(r.stderr), ['cat-file', 'diff-index', 'rev-parse', 'update-index']);
  assert.match(r.stderr, /ms node start-up and imports, until the first git process/);
  assert.match(r.stderr, /ms in all, from node's start/);

  // Exactness, with git alone: the staged patch applied to the base is the staged vendor tree.
  const staged = gitBuf(dir, ['cat-file', 'blob', `:${file}`]);
  assert.ok(staged.equals(fs.readFileSync(path.join(dir, file))));
  const index = path.join(tmpdir(), 'index');
  git(dir, ['read-tree', up.base], { env: { GIT_INDEX_FILE: index } });
  git(dir, ['apply', '--cached'], { env: { GIT_INDEX_FILE: index }, input: staged });
  const applied = git(dir, ['write-tree'], { env: { GIT_INDEX_FILE: index } });
  const top = gitBuf(dir, ['ls-tree', '-z', git(dir, ['write-tree'])])
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  const vendorOnly = top.filter((e) => !['hardwares', '.flagpatchrc.json'].includes(e.slice(e.indexOf('\t') + 1)));
  assert.is(applied, git(dir, ['mktree', '-z'], { input: Buffer.from(vendorOnly.map((e) => `${e}\0`).join('')) }));
  assert.is(git(dir, ['fsck', '--no-dangling']), '');

  // Nothing changed since: the patch is left as it is, and nothing is staged.
  const again = flagpatch(dir, ['hook', 'pre-commit'], { FLAGPATCH_TRACE: '1' });
  assert.is(again.code, 0, again.stderr);
  assert.is(again.stdout, '');
  assert.equal(processes(again.stderr), ['cat-file', 'diff-index', 'rev-parse']);
  assert.is(git(dir, ['rev-parse', `:${file}`]), git(dir, ['hash-object', file]));
});

test('with a git older than 2.36 (no cat-file --batch-command) the hook reads through cat-file --batch', () => {
  const root = tmpdir();
  const up = upstream(root);
  const dir = fork(up.dir, path.join(root, 'fork'));
  // A git that refuses --batch-command as git 2.35 does, and is the real git otherwise.
  const bin = path.join(root, 'old-git');
  fs.mkdirSync(bin);
  const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  fs.writeFileSync(
    path.join(bin, 'git'),
    `#!/bin/sh\nfor a in "$@"; do [ "$a" = "--batch-command" ] && { echo "error: unknown option \\\`batch-command'" >&2; exit 129; }; done\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  write(dir, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }), 'flagscale/train.py': 'vendor\n' });
  git(dir, ['add', '-A']);
  const env = { PATH: `${bin}:${process.env.PATH}`, FLAGPATCH_TRACE: '1' };
  const first = flagpatch(dir, ['hook', 'pre-commit'], env);
  assert.is(first.code, 0, first.stderr);
  git(dir, ['commit', '-q', '--no-verify', '-m', 'adapt']);
  write(dir, { 'flagscale/train.py': 'vendor 2\n' });
  git(dir, ['add', '-A']);
  const r = flagpatch(dir, ['hook', 'pre-commit'], env);
  assert.is(r.code, 0, r.stderr);
  const id = up.base.slice(0, 6);
  assert.is(r.stdout, `flagpatch: updated hardwares/A_X100/${id}/${id}.patch (1 file, +1 −2)\n`);
  assert.match(r.stderr, /ms git cat-file --batch \(long-lived/);
  assert.match(r.stderr, /ms git cat-file --batch-check/); // the config's size, asked apart
  assert.match(gitBuf(dir, ['cat-file', 'blob', `:hardwares/A_X100/${id}/${id}.patch`]).toString(), '+vendor 2');
});

test.run();
