// `flagpatch rebase --device-type DEV --commit-id ID --onto REV` without a fork (maintainers,
// users, CI), in the upstream repository of test/upstream-moves.ts: a clean carry becomes the
// submission on flagpatch/<DEV>, whose patch applied to REV gives exactly the merged vendor
// tree; a conflict lists files and lines, and --dir gives a tree to resolve them in, from
// which `rebase --continue --dir` makes the submission. The user's state is never touched.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, dirty, flagpatch, git, gitBuf, gitDirListing, snapshot, tmpdir } from './helpers.js';
import { MODEL, applyPatch, model, story, type Story } from './upstream-moves.js';

let s: Story;
const keep: string[] = [];

test.before(() => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'flagpatch-rebase-patch-')));
  keep.push(root);
  s = story(root);
  dirty(s.up);
});
test.after(() => {
  for (const d of keep) fs.rmSync(d, { recursive: true, force: true });
});
test.after.each(cleanup);

const carry = (onto: string, extra: string[] = []) => flagpatch(s.up, ['rebase', '--device-type', 'A_X100', '--commit-id', s.id, '--onto', onto, ...extra]);
const patchAt = (sha: string) => `hardwares/A_X100/${sha.slice(0, 6)}/${sha.slice(0, 6)}.patch`;
/** The user's state, without the submission branch `rebase` may write. */
const userState = () => {
  const snap = snapshot(s.up);
  snap.refs = snap.refs
    .split('\n')
    .filter((l) => !l.startsWith('refs/heads/flagpatch/'))
    .join('\n');
  return snap;
};

test('a patch whose context moved merges three-way: the submission on flagpatch/A_X100 applies exactly', () => {
  const before = userState();
  const r = carry(s.u.u2);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, `flagpatch rebase: A_X100's patch ${s.id} merges three-way on ${s.u.u2.slice(0, 12)}`);
  assert.match(r.stdout, 'push it with: git push <remote> flagpatch/A_X100');
  const sub = git(s.up, ['rev-parse', 'flagpatch/A_X100']);
  assert.is(git(s.up, ['rev-parse', `${sub}^@`]), s.u.u2, 'parent: REV');
  assert.is(git(s.up, ['diff-tree', '-r', '--name-only', s.u.u2, sub]), patchAt(s.u.u2), "REV's tree plus the new patch");
  const patch = gitBuf(s.up, ['show', `${sub}:${patchAt(s.u.u2)}`]);
  assert.match(patch.toString(), `Flagpatch-Base: ${s.u.u2}`);
  assert.match(patch.toString(), 'Subject: [PATCH] [A_X100] adapt model.py');
  const applied = applyPatch(s.up, s.u.u2, patch, tmpdir());
  assert.is(git(s.up, ['show', `${applied}:${MODEL}`]) + '\n', model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100' }), 'both changes');
  assert.is(git(s.up, ['show', `${applied}:flagscale/a_kernels.py`]), 'K = 1');
  assert.is(git(s.up, ['diff-tree', '-r', '--name-only', s.u.u2, applied]), `flagscale/a_kernels.py\n${MODEL}`, 'nothing else');
  assert.equal(userState(), before, 'work tree, index, HEAD and other branches untouched');

  const plain = carry(s.u.u1, ['--json']);
  assert.is(plain.code, 0, plain.stderr);
  assert.is(JSON.parse(plain.stdout).state, 'applies', 'an unrelated upstream commit: plain apply works');
});

test('a conflict: exit 1 with files and lines (text and --json); nothing is written', () => {
  const before = userState();
  const listing = gitDirListing(s.up).filter((l) => !l.startsWith('.git/refs/heads/flagpatch/') && !l.startsWith('.git/logs/'));
  const r = carry(s.u.u4);
  assert.is(r.code, 1);
  assert.match(r.stdout, `flagpatch rebase: A_X100's patch ${s.id} conflicts with ${s.u.u4.slice(0, 12)} in 1 file\n✗ ${MODEL} line 21\n`);
  assert.match(r.stdout, 'fix: pass --dir build');
  const json = JSON.parse(carry(s.u.u4, ['--json']).stdout);
  assert.equal(json.conflicts, [{ path: MODEL, kind: 'content', lines: [{ start: 21, end: 21 }] }]);
  assert.is(json.state, 'conflicts');
  assert.equal(userState(), before);
  assert.equal(
    gitDirListing(s.up).filter((l) => !l.startsWith('.git/refs/heads/flagpatch/') && !l.startsWith('.git/logs/')),
    listing,
    'no object, no file under .git',
  );
});

test('--dir gives a repository at REV holding the merge; --continue --dir makes the submission from the resolution', () => {
  const build = path.join(tmpdir(), 'build');
  const r = carry(s.u.u4, ['--dir', build]);
  assert.is(r.code, 1);
  const tree = path.join(build, 'A_X100', 'FlagScale');
  assert.match(r.stdout, `the merge, with conflict markers, is in ${tree} (HEAD = ${s.u.u4.slice(0, 12)})`);
  assert.match(r.stdout, `flagpatch rebase --continue --device-type A_X100 --dir ${build}`);
  assert.is(git(tree, ['rev-parse', 'HEAD']), s.u.u4);
  assert.is(git(tree, ['ls-files', '-u']).split('\n').length, 3, 'model.py at stages 1-3');
  assert.is(git(tree, ['diff', '--cached', '--name-only', '--diff-filter=A']), 'flagscale/a_kernels.py', 'the clean part is staged');
  const text = fs.readFileSync(path.join(tree, MODEL), 'utf8');
  assert.match(text, `<<<<<<< A_X100 (patch ${s.id})\nline 20 on A_X100\n=======\nline 20 changed by upstream\n>>>>>>> upstream ${s.u.u4.slice(0, 12)}\n`);

  // A tree in the middle of a merge is never replaced silently: a rerun needs --force.
  const rerun = carry(s.u.u4, ['--dir', build]);
  assert.is(rerun.code, 1);
  assert.match(rerun.stderr, 'holds work that replacing it would lose');
  const forced = carry(s.u.u4, ['--dir', build, '--force']);
  assert.is(forced.code, 1);
  assert.match(forced.stdout, `the merge, with conflict markers, is in ${tree}`);
  const early = flagpatch(s.up, ['rebase', '--continue', '--device-type', 'A_X100', '--dir', build]);
  assert.is(early.code, 1);
  assert.match(early.stderr, 'holds unresolved or uncommitted changes');
  const resolved = model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100, after upstream' });
  fs.writeFileSync(path.join(tree, MODEL), resolved);
  git(tree, ['add', '-A']);
  git(tree, ['commit', '-q', '-m', 'Resolve conflicts']);
  const again = carry(s.u.u4, ['--dir', build]);
  assert.is(again.code, 1);
  assert.match(again.stderr, 'holds work that replacing it would lose', 'the resolution is not thrown away');
  const c = flagpatch(s.up, ['rebase', '--continue', '--device-type', 'A_X100', '--dir', build]);
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, `flagpatch: wrote ${patchAt(s.u.u4)} (2 files, +2 −1) for base ${s.u.u4.slice(0, 12)}`);
  const sub = git(s.up, ['rev-parse', 'flagpatch/A_X100']);
  assert.is(git(s.up, ['rev-parse', `${sub}^@`]), s.u.u4);
  const patch = gitBuf(s.up, ['show', `${sub}:${patchAt(s.u.u4)}`]);
  const applied = applyPatch(s.up, s.u.u4, patch, tmpdir());
  assert.is(git(s.up, ['show', `${applied}:${MODEL}`]) + '\n', resolved, 'the patch gives exactly the resolved tree');
  assert.is(git(s.up, ['diff-tree', '-r', '--name-only', applied, git(tree, ['rev-parse', 'HEAD^{tree}'])]), '');
});

test('bad usage is exit 2 with a fix; outside a fork --onto alone is refused as usage', () => {
  for (const [args, message] of [
    [['rebase', '--device-type', 'A_X100', '--commit-id', s.id], 'rebase needs --onto REV'],
    [['rebase', '--continue', '--abort'], '--continue and --abort exclude each other'],
    [['rebase', '--abort', '--onto', s.u.u2], '--abort takes no --onto'],
    [['rebase', '--onto', s.u.u2], 'rebase --onto REV alone carries a fork, but no "deviceType" and "baseCommit" are configured here'],
    [['rebase', '--device-type', 'A_X100', '--commit-id', s.id, '--onto', s.u.u2, '--drop-old'], '--drop-old is for a fork'],
  ] as const) {
    const r = flagpatch(s.up, [...args]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, '  fix: ');
  }
  const unknown = flagpatch(s.up, ['rebase', '--device-type', 'A_X100', '--commit-id', 'ffffff', '--onto', s.u.u2]);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, `no single committed A_X100 patch for --commit-id ffffff`);
  assert.match(unknown.stderr, `fix: A_X100 has patches at: ${s.id}; pass one of them`);
});

test.run();
