// `unpatch --dir` replaces only what flagpatch made and left unchanged; it touches nothing
// else under DIR and leaves no half-built tree when a patch does not apply.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, git, tmpdir, upstreamWithPatch, write } from './helpers.js';

test.after.each(cleanup);

function setup() {
  const root = tmpdir();
  const up = upstreamWithPatch(root);
  const args = ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', path.join(root, 'build')];
  return { root, up, args, target: path.join(root, 'build', 'A_X100', 'FlagScale') };
}

test('a folder flagpatch did not make is refused, untouched; --force replaces it', () => {
  const { up, args, target, root } = setup();
  write(target, { 'precious.txt': 'mine\n' });
  write(path.join(root, 'build'), { 'other/keep.txt': 'keep\n' });
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'exists and is not a tree flagpatch made');
  assert.match(r.stderr, '--force');
  assert.is(fs.readFileSync(path.join(target, 'precious.txt'), 'utf8'), 'mine\n');
  const f = flagpatch(up.dir, [...args, '--force']);
  assert.is(f.code, 0, f.stderr);
  assert.not.ok(fs.existsSync(path.join(target, 'precious.txt')));
  assert.is(fs.readFileSync(path.join(target, 'flagscale/train.py'), 'utf8'), 'vendor\n');
  assert.is(fs.readFileSync(path.join(root, 'build/other/keep.txt'), 'utf8'), 'keep\n', 'nothing else under DIR touched');
  assert.equal(fs.readdirSync(path.join(root, 'build', 'A_X100')), ['FlagScale'], 'no temporary sibling left');
});

test('a tree flagpatch made is replaced on rerun, unless it holds anything the user made', () => {
  const { up, args, target } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  const head = git(target, ['rev-parse', 'HEAD']);
  assert.is(flagpatch(up.dir, args).code, 0, 'rerun over its own clean tree');
  assert.is(git(target, ['rev-parse', 'HEAD']), head);
  fs.appendFileSync(path.join(target, 'README.md'), 'local work\n');
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'holds work that replacing it would lose: changed file README.md');
  assert.match(fs.readFileSync(path.join(target, 'README.md'), 'utf8'), 'local work');
  write(target, { 'README.md': '# FlagScale\n', 'new-untracked.txt': 'x' });
  const u = flagpatch(up.dir, args);
  assert.is(u.code, 1, "untracked files are the user's");
  assert.match(u.stderr, 'untracked file new-untracked.txt');
  assert.ok(fs.existsSync(path.join(target, 'new-untracked.txt')));
});

test("a rerun keeps the user's commits, ignored outputs and refs; only --force replaces the tree", () => {
  const { up, args, target } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  // A commit of the user's on top of the one flagpatch made.
  write(target, { 'train_notes.md': 'tuned lr\n' });
  git(target, ['add', 'train_notes.md']);
  git(target, ['commit', '-q', '-m', 'my experiment']);
  const mine = git(target, ['rev-parse', 'HEAD']);
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'not the commit flagpatch made');
  assert.is(git(target, ['rev-parse', 'HEAD']), mine, 'the commit is still there');
  git(target, ['reset', '-q', '--hard', 'HEAD~1']);
  // Checkpoints under an ignored folder: ignored files are work too.
  write(target, { '.git/info/exclude': 'checkpoints/\n', 'checkpoints/step1000.pt': 'weights' });
  const c = flagpatch(up.dir, args);
  assert.is(c.code, 1);
  assert.match(c.stderr, 'ignored file checkpoints/');
  assert.ok(fs.existsSync(path.join(target, 'checkpoints/step1000.pt')));
  fs.rmSync(path.join(target, 'checkpoints'), { recursive: true });
  // A branch of the user's.
  git(target, ['branch', 'experiment']);
  const b = flagpatch(up.dir, args);
  assert.is(b.code, 1);
  assert.match(b.stderr, 'the ref refs/heads/experiment');
  const f = flagpatch(up.dir, [...args, '--force']);
  assert.is(f.code, 0, f.stderr);
  assert.is(git(target, ['branch', '--list', 'experiment']), '', '--force replaced it');
});

test('a marker copied into another folder proves nothing; --dir inside .git is refused', () => {
  const { up, args, target, root } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  // Someone copies the marker into their own repository at another DIR.
  const other = path.join(root, 'elsewhere', 'A_X100', 'FlagScale');
  fs.mkdirSync(other, { recursive: true });
  git(other, ['init', '-q']);
  write(other, { 'mine.txt': 'mine\n' });
  fs.copyFileSync(path.join(target, '.git', 'flagpatch-tree.json'), path.join(other, '.git', 'flagpatch-tree.json'));
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', path.join(root, 'elsewhere')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'is not a tree flagpatch made (its marker names');
  assert.ok(fs.existsSync(path.join(other, 'mine.txt')));
  const g = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', '.git/build']);
  assert.is(g.code, 2);
  assert.match(g.stderr, "inside the repository's .git folder");
  assert.not.ok(fs.existsSync(path.join(up.dir, '.git', 'build')));
});

test('a patch that does not apply names the file and hunk and leaves no half-built tree', () => {
  const { up, args, root } = setup();
  // Upstream moves on and someone rewrites the patch against a file it no longer matches.
  const id = up.base.slice(0, 6);
  const file = path.join(up.dir, `hardwares/A_X100/${id}/${id}.patch`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('-    return 1', '-    return 42'));
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'flagscale/train.py');
  assert.match(r.stderr, /hunk at line \d+/);
  assert.not.ok(fs.existsSync(path.join(root, 'build')), 'nothing created under DIR');
});

test('--dir that would replace the repository itself is refused', () => {
  const { up } = setup();
  // DIR/<DEV>/<name> == the repository when DIR is two levels up and names match.
  const root = path.dirname(up.dir);
  fs.mkdirSync(path.join(root, 'A_X100'));
  fs.symlinkSync(up.dir, path.join(root, 'A_X100', 'FlagScale'));
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6), '--dir', root, '--force']);
  assert.is(r.code, 1);
  assert.ok(fs.existsSync(path.join(up.dir, '.git')), 'repository intact');
});

test('unpatch in place refuses to overwrite ignored or untracked files the checkout would replace', () => {
  const { up } = setup();
  const id = up.base.slice(0, 6);
  const file = path.join(up.dir, `hardwares/A_X100/${id}/${id}.patch`);
  // The patch changes flagscale/train.py; the user keeps an ignored checkpoint where a folder
  // of the patch's would go.
  write(up.dir, { '.git/info/exclude': 'flagscale/train.py.d\n' });
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8'));
  git(up.dir, ['rm', '-q', '--cached', 'flagscale/train.py']);
  git(up.dir, ['commit', '-q', '--no-verify', '-m', 'untrack train.py']);
  write(up.dir, { 'flagscale/train.py': 'my local experiment\n', '.git/info/exclude': 'flagscale/train.py\n' });
  const r = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', id]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, 'would overwrite or remove files git does not track here (flagscale/train.py)');
  assert.is(fs.readFileSync(path.join(up.dir, 'flagscale/train.py'), 'utf8'), 'my local experiment\n');
  assert.is(git(up.dir, ['branch', '--list', `A_X100-${id}`]), '', 'no branch left behind');
});

test('a materialized tree runs no filter the patch asks for; a patch date git rejects falls back to the base date', () => {
  const { up, args, target, root } = setup();
  const marker = path.join(root, 'flagpatch-evil-filter-ran');
  const globalConfig = path.join(root, 'gitconfig');
  fs.writeFileSync(globalConfig, `[filter "lfs"]\n\tsmudge = touch ${marker}; cat\n\tclean = touch ${marker}; cat\n`);
  const id = up.base.slice(0, 6);
  const file = path.join(up.dir, `hardwares/A_X100/${id}/${id}.patch`);
  const attrs = 'diff --git a/.gitattributes b/.gitattributes\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/.gitattributes\n@@ -0,0 +1 @@\n+* filter=lfs\n';
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(/^Date: .*$/m, 'Date: not a date')
    .replace('\n-- \n', `\n${attrs}-- \n`);
  fs.writeFileSync(file, text);
  const r = flagpatch(up.dir, args, { GIT_CONFIG_GLOBAL: globalConfig });
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(fs.existsSync(marker), 'no filter ran');
  assert.is(fs.readFileSync(path.join(target, 'flagscale/train.py'), 'utf8'), 'vendor\n');
  assert.is(git(target, ['log', '-1', '--format=%aD']), git(up.dir, ['log', '-1', '--format=%aD', up.base]));
  const again = flagpatch(up.dir, args, { GIT_CONFIG_GLOBAL: globalConfig });
  assert.is(again.code, 0, again.stderr);
  assert.not.ok(fs.existsSync(marker), 'no filter ran when judging the old tree either');
});

test("a linked worktree of a materialized tree is the user's: a rerun refuses to replace it", () => {
  const { up, args, target, root } = setup();
  assert.is(flagpatch(up.dir, args).code, 0);
  const wt = path.join(root, 'wt');
  git(target, ['worktree', 'add', '-q', '--detach', wt]);
  const r = flagpatch(up.dir, args);
  assert.is(r.code, 1);
  assert.match(r.stderr, `the linked worktree ${wt}`);
  assert.ok(fs.existsSync(path.join(target, '.git')));
});

test.run();
