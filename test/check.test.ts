// `flagpatch check` (what pre-push and CI run): every violation is one line with its fix, exit 1.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accept, cleanup, commitAll, flagpatch, fork, git, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

/** A vendor fork whose committed tree holds its config, vendor code and a fresh patch. */
function freshFork() {
  const root = tmpdir();
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }), 'flagscale/train.py': 'vendor 1\n' });
  commitAll(v, 'vendor');
  assert.is(flagpatch(v, ['patch']).code, 0);
  git(v, ['checkout', '-q', 'flagpatch/A_X100', '--', 'hardwares']);
  commitAll(v, 'add patch');
  const id = up.base.slice(0, 6);
  return { root, up, v, id, file: `hardwares/A_X100/${id}/${id}.patch` };
}

test('a fork with a fresh patch passes; vendor code changed without refreshing it is stale', () => {
  const { v, file } = freshFork();
  const ok = flagpatch(v, ['check']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  write(v, { 'flagscale/train.py': 'vendor 2\n' });
  commitAll(v, 'edit without the hook');
  const r = flagpatch(v, ['check']);
  assert.is(r.code, 1);
  assert.match(r.stdout, `✗ ${file}: stale: it does not match the vendor code of this commit at flagscale/train.py`);
  assert.match(r.stdout, '\n    fix: refresh it: commit with the hooks on (git commit --amend --no-edit, not --no-verify); `flagpatch patch` makes a submission, it does not refresh this commit\n');
  assert.is(flagpatch(v, ['check', 'HEAD~1']).code, 0, 'an older commit can be checked');
  const json = JSON.parse(flagpatch(v, ['check', '--json']).stdout);
  assert.is(json.ok, false);
  assert.is(json.violations.length, 1);
  assert.equal(Object.keys(json.violations[0]).sort(), ['fix', 'problem', 'where']);
  const st = JSON.parse(flagpatch(v, ['status', '--json']).stdout);
  assert.is(st.patches[0].state, 'stale');
});

test('vendor code without any patch is reported missing; a tree equal to the base needs none', () => {
  const { v, file } = freshFork();
  git(v, ['rm', '-q', '-r', 'hardwares']);
  commitAll(v, 'drop patch');
  const r = flagpatch(v, ['check']);
  assert.is(r.code, 1);
  assert.match(r.stdout, `${file}: missing`);
  git(v, ['checkout', '-q', 'origin/main', '--', 'flagscale']);
  commitAll(v, 'back to the base');
  assert.is(flagpatch(v, ['check']).code, 0);
});

test('upstream: every hetero and layout problem is listed with file:line and a fix', () => {
  const { up, v, id } = freshFork();
  accept(up.dir, v, 'flagpatch/A_X100');
  assert.is(flagpatch(up.dir, ['check']).code, 0);
  write(up.dir, {
    'hetero.txt': `# registry\n${id}: A_X100 B_Y100\nnot a line\n`,
    'hardwares/A_X100/notes.txt': 'x',
    'hardwares/bad-dev/abcdef/abcdef.patch': 'x',
  });
  commitAll(up.dir, 'broken');
  const r = flagpatch(up.dir, ['check']);
  assert.is(r.code, 1);
  assert.match(r.stdout, `hetero.txt:2: B_Y100 has no patch at ${id}`);
  assert.match(r.stdout, 'hetero.txt:3: expected "<ID>: <DEVICE> <DEVICE>..."');
  assert.match(r.stdout, 'hardwares/A_X100/notes.txt: does not fit hardwares/<DEVICE>/<ID>/<ID>.patch');
  assert.match(r.stdout, 'hardwares/bad-dev/abcdef/abcdef.patch: device folder "bad-dev"');
  assert.is((r.stdout.match(/\n {4}fix: /g) ?? []).length, 4, r.stdout);
  assert.match(r.stdout, '4 problems');
});

test('a patch that no longer applies on its base fails the check, naming file and hunk', () => {
  const { up, v, id, file } = freshFork();
  accept(up.dir, v, 'flagpatch/A_X100');
  const p = path.join(up.dir, file);
  fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace('-    return 1', '-    return 7'));
  commitAll(up.dir, 'corrupt');
  const r = flagpatch(up.dir, ['check']);
  assert.is(r.code, 1);
  // The whole line: the patch path once, then why.
  const line = r.stdout.split('\n').find((l) => l.includes('does not apply'));
  assert.is(line, `✗ ${file}: does not apply on its base ${up.base.slice(0, 12)}: flagscale/train.py: the hunk at line 1 does not match`);
  const st = JSON.parse(flagpatch(up.dir, ['status', '--json']).stdout);
  assert.is(st.patches[0].state, 'does-not-apply');
  assert.is(st.patches[0].id, id);
});

test('a patch whose base is not in the repository, or not a patch at all, fails the check', () => {
  const { up } = freshFork();
  write(up.dir, { 'hardwares/C_Z1/abcdef/abcdef.patch': fs.readFileSync(path.join(up.dir, 'README.md')) });
  commitAll(up.dir, 'junk');
  const r = flagpatch(up.dir, ['check']);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'hardwares/C_Z1/abcdef/abcdef.patch');
});

test.run();
