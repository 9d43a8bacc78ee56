// `flagpatch rebase --onto REV` in a vendor fork (the story of test/upstream-moves.ts): one
// merge commit with the config, the fresh new patch, the old patch kept and upstream's
// patches and hetero lines merged in; conflicts stop it like git merge, --abort puts back
// everything byte for byte, --continue (or a plain git commit through the hook) finishes it;
// an interrupted run leaves a state --abort or --continue finishes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, ENV, cleanup, flagpatch, git, gitBuf, snapshot, tmpdir, write } from './helpers.js';
import { MODEL, installHook, model, copyFork, withStory, type Story } from './upstream-moves.js';

let s: Story;
withStory(test, 'rebase', (made) => (s = made));
test.after.each(cleanup);

const forkCopy = () => copyFork(s, tmpdir());

const patchOf = (sha: string) => `hardwares/A_X100/${sha.slice(0, 6)}/${sha.slice(0, 6)}.patch`;
const show = (dir: string, spec: string) => gitBuf(dir, ['show', spec]).toString('utf8');
const parents = (dir: string, rev = 'HEAD') => git(dir, ['rev-list', '--parents', '-n', '1', rev]).split(' ').slice(1);
const configText = (sha: string) => `${JSON.stringify({ deviceType: 'A_X100', baseCommit: sha }, null, 2)}\n`;

test('a clean rebase is one merge commit: config on REV, the new patch fresh, the old one kept, upstream merged in', () => {
  const v = forkCopy();
  const head = git(v, ['rev-parse', 'HEAD']);
  const oldPatch = show(v, `HEAD:${patchOf(s.base)}`);
  const r = flagpatch(v, ['rebase', '--onto', s.u.u2]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, `flagpatch rebase: merged upstream ${s.u.u2.slice(0, 12)}: committed `);
  assert.match(r.stdout, `flagpatch rebase: kept ${patchOf(s.base)} for the old base`);
  assert.equal(parents(v), [head, s.u.u2], 'parents: the fork and REV');
  assert.is(show(v, 'HEAD:.flagpatchrc.json'), configText(s.u.u2), 'baseCommit = full sha of REV, formatting kept');
  assert.is(show(v, `HEAD:${patchOf(s.base)}`), oldPatch, 'the old base patch is kept byte for byte');
  const newPatch = show(v, `HEAD:${patchOf(s.u.u2)}`);
  assert.match(newPatch, `Flagpatch-Base: ${s.u.u2}`);
  assert.match(newPatch, '+line 20 on A_X100');
  // Fresh: the patch is what flagpatch generates for this commit (check judges it), and the
  // vendor code merged both sides.
  const check = flagpatch(v, ['check']);
  assert.is(check.code, 0, check.stdout);
  assert.is(show(v, `HEAD:${MODEL}`), model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100' }));
  assert.is(show(v, 'HEAD:hardwares/B_Y100/' + `${s.id}/${s.id}.patch`), show(s.up, `${s.u.u2}:hardwares/B_Y100/${s.id}/${s.id}.patch`), "upstream's other vendor patch came in");
  assert.is(show(v, 'HEAD:hetero.txt'), `# A_X100 fork\n${s.id}: A_X100 B_Y100\n`, 'hetero lines of both sides');
  assert.is(show(v, 'HEAD:README.md'), show(s.up, `${s.u.u2}:README.md`));
  assert.is(git(v, ['status', '--porcelain']), '', 'index and work tree at the merge');
  assert.not.ok(fs.existsSync(path.join(v, '.git', 'flagpatch-rebase')), 'no state left');

  // Next move with --drop-old: the patch for the base just left goes; older ones stay.
  const r2 = flagpatch(v, ['rebase', '--onto', s.u.u3, '--drop-old']);
  assert.is(r2.code, 0, r2.stdout + r2.stderr);
  const files = git(v, ['ls-tree', '-r', '--name-only', 'HEAD', 'hardwares/A_X100']).split('\n');
  assert.equal(files, [patchOf(s.base), patchOf(s.u.u3)].sort());
  assert.is(flagpatch(v, ['check']).code, 0);
});

test('refusals: uncommitted changes touch nothing; an older REV needs --allow-older', () => {
  const v = forkCopy();
  fs.appendFileSync(path.join(v, 'README.md'), 'uncommitted\n');
  const before = snapshot(v);
  const r = flagpatch(v, ['rebase', '--onto', s.u.u2]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'the work tree has uncommitted changes; nothing was changed');
  assert.match(r.stderr, 'fix: commit or stash them');
  assert.equal(snapshot(v), before);
  git(v, ['checkout', '-q', '--', 'README.md']);

  assert.is(flagpatch(v, ['rebase', '--onto', s.u.u2]).code, 0);
  const head = git(v, ['rev-parse', 'HEAD']);
  const older = flagpatch(v, ['rebase', '--onto', s.u.u1]);
  assert.is(older.code, 1);
  assert.match(older.stderr, `${s.u.u1.slice(0, 12)} is older than the current base ${s.u.u2.slice(0, 12)}`);
  assert.match(older.stderr, '--allow-older');
  assert.is(git(v, ['rev-parse', 'HEAD']), head);
  const back = flagpatch(v, ['rebase', '--onto', s.u.u1, '--allow-older']);
  assert.is(back.code, 0, back.stdout + back.stderr);
  assert.equal(parents(v), [head, s.u.u1]);
  assert.is(show(v, `HEAD:${MODEL}`), model({ 20: 'line 20 on A_X100' }), "the vendor change carried back: upstream's later line 18 is gone");
  assert.is(flagpatch(v, ['check']).code, 0);
});

test('a conflict stops like git merge; --abort restores HEAD, index and work tree byte for byte', () => {
  const v = forkCopy();
  write(v, { 'scratch/untracked.txt': 'mine\n' });
  git(v, ['stash', 'list']);
  const before = snapshot(v);
  const r = flagpatch(v, ['rebase', '--onto', 'upstream/main']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, 'flagpatch rebase: merging upstream upstream/main');
  assert.match(r.stdout, '1 vendor file conflict');
  assert.match(r.stdout, `✗ ${MODEL} line 21\n`);
  assert.match(r.stdout, 'fix: resolve the conflict markers, `git add` the files, then `npx --no-install flagpatch rebase --continue`');
  const text = fs.readFileSync(path.join(v, MODEL), 'utf8');
  assert.match(text, '<<<<<<< HEAD\nline 20 on A_X100\n=======\nline 20 changed by upstream\n>>>>>>> upstream/main\n');
  assert.is(fs.readFileSync(path.join(v, '.git', 'MERGE_HEAD'), 'utf8').trim(), s.u.u5);
  assert.is(git(v, ['ls-files', '-u']).split('\n').length, 3, 'stages 1, 2 and 3 of model.py');
  assert.is(fs.readFileSync(path.join(v, '.flagpatchrc.json'), 'utf8'), configText(s.u.u5), 'the config already names REV (for the hook)');
  assert.is(show(v, ':.flagpatchrc.json'), configText(s.u.u5));
  const again = flagpatch(v, ['rebase', '--onto', s.u.u5]);
  assert.is(again.code, 1);
  assert.match(again.stderr, 'a flagpatch rebase is in progress');

  const a = flagpatch(v, ['rebase', '--abort']);
  assert.is(a.code, 0, a.stderr);
  assert.equal(snapshot(v), before, 'HEAD, index (byte for byte), work tree, refs and stash as before');
  for (const f of ['MERGE_HEAD', 'MERGE_MSG', 'flagpatch-rebase']) assert.not.ok(fs.existsSync(path.join(v, '.git', f)), f);
});

test('--continue after resolving finishes the merge commit; a plain git commit through the hook gives the same', () => {
  const v = forkCopy();
  const head = git(v, ['rev-parse', 'HEAD']);
  const resolved = model({ 18: 'line 18 moved by upstream', 20: 'line 20 on A_X100 and upstream' });
  const resolve = () => {
    assert.is(flagpatch(v, ['rebase', '--onto', s.u.u4]).code, 1);
    fs.writeFileSync(path.join(v, MODEL), resolved);
  };
  resolve();
  const early = flagpatch(v, ['rebase', '--continue']);
  assert.is(early.code, 1);
  assert.match(early.stderr, `still unmerged: ${MODEL}`);
  git(v, ['add', MODEL]);
  const c = flagpatch(v, ['rebase', '--continue']);
  assert.is(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, `flagpatch rebase: wrote ${patchOf(s.u.u4)} (2 files, +2 −1)`);
  assert.equal(parents(v), [head, s.u.u4]);
  assert.is(show(v, `HEAD:${MODEL}`), resolved);
  assert.match(show(v, `HEAD:${patchOf(s.u.u4)}`), '+line 20 on A_X100 and upstream');
  assert.is(flagpatch(v, ['check']).code, 0, 'the new patch is fresh');
  assert.is(git(v, ['status', '--porcelain']), '');
  for (const f of ['MERGE_HEAD', 'flagpatch-rebase']) assert.not.ok(fs.existsSync(path.join(v, '.git', f)), f);
  const viaContinue = { tree: git(v, ['rev-parse', 'HEAD^{tree}']), message: git(v, ['log', '-1', '--format=%B']) };

  // The same from the start, finished by `git commit` with the pre-commit hook.
  git(v, ['reset', '-q', '--hard', head]);
  installHook(v);
  resolve();
  git(v, ['add', MODEL]);
  git(v, ['commit', '-q', '--no-edit']);
  assert.equal(parents(v), [head, s.u.u4]);
  assert.is(git(v, ['rev-parse', 'HEAD^{tree}']), viaContinue.tree, 'same tree: the hook wrote the same patch for REV');
  assert.is(git(v, ['log', '-1', '--format=%B']), viaContinue.message, 'same message');
  const after = flagpatch(v, ['rebase', '--continue']);
  assert.is(after.code, 0, after.stderr);
  assert.match(after.stdout, 'was committed (by git commit)');
  assert.not.ok(fs.existsSync(path.join(v, '.git', 'flagpatch-rebase')));
});

/** Runs the CLI and kills it with SIGKILL after `ms` milliseconds. */
function killedAfter(cwd: string, args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: ENV, stdio: 'ignore' });
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(t);
      // Let git processes the kill orphaned finish.
      setTimeout(resolve, 150);
    });
  });
}

test('interrupted at any moment: --abort puts everything back, or --continue finishes', async () => {
  const v = forkCopy();
  const orig = git(v, ['rev-parse', 'HEAD']);
  let before = snapshot(v);
  const state = () => fs.existsSync(path.join(v, '.git', 'flagpatch-rebase', 'state.json'));
  for (const [i, ms] of [40, 80, 120, 160, 200, 260, 320, 400, 500].entries()) {
    await killedAfter(v, ['rebase', '--onto', i % 2 ? s.u.u2 : s.u.u4], ms);
    if (i % 3 === 2 && state()) {
      const c = flagpatch(v, ['rebase', '--continue']);
      // Finished, or (REV conflicting) stopped at the conflict, or it had already stopped there.
      if (c.code !== 0) assert.ok(c.stdout.includes(`✗ ${MODEL} line 21`) || c.stderr.includes(`still unmerged: ${MODEL}`), `trial ${i}: ${c.stdout}${c.stderr}`);
    }
    if (state()) {
      assert.is(flagpatch(v, ['rebase', '--abort']).code, 0);
      assert.equal(snapshot(v), before, `trial ${i}: aborted`);
    } else if (git(v, ['rev-parse', 'HEAD']) !== orig) {
      // It finished: a complete merge commit with a fresh patch.
      assert.equal(parents(v), [orig, s.u.u2], `trial ${i}`);
      assert.is(git(v, ['status', '--porcelain']), '');
      assert.is(flagpatch(v, ['check']).code, 0);
      git(v, ['reset', '-q', '--hard', orig]);
      before = snapshot(v);
    } else {
      assert.equal(snapshot(v), before, `trial ${i}: killed before any change`);
    }
  }
});

test.run();
