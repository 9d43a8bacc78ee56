// End to end through the packed package: `npm pack`, installed into a fork of a generated
// upstream without the registry (see installOffline), `flagpatch init`, real `git commit` in every form and real `git push` to a bare
// remote. Each committed patch is checked with git plumbing alone: applied to the base on a
// temporary index it must give the commit's tree outside the owned paths.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENV, ROOT, cleanup, git, tmpdir, upstream, write } from './helpers.js';
import { OWNED, installOffline, needsInstall, run } from './install.js';

let template = '';
let base = '';
let remoteUp = '';
let id = '';
const keep: string[] = [];
/** Why the end-to-end tests cannot run here (then each says so and passes vacuously). */
let skipped: string | null = null;

/** A test that needs the installed fork: says SKIPPED with the reason when it cannot run. */
const e2e = needsInstall(test, 'hooks-e2e', () => skipped);

test.before(() => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'flagpatch-e2e-')));
  keep.push(root);
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: ROOT, encoding: 'utf8' });
  assert.is(pack.status, 0, pack.stderr);
  const tarball = path.join(root, pack.stdout.trim().split('\n').pop()!);
  const up = upstream(root);
  base = up.base;
  id = base.slice(0, 6);
  remoteUp = up.dir;
  template = path.join(root, 'template');
  git(root, ['clone', '-q', up.dir, template]);
  const init = run(template, process.execPath, [path.join(ROOT, 'dist/src/cli.js'), 'init', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(init.code, 0, init.out);
  skipped = installOffline(template, tarball);
  if (skipped) return;
  assert.is(git(template, ['config', 'core.hooksPath']), 'hooks', "the fork's prepare script wired the hooks (flagpatch hook install)");
  git(template, ['add', '-A']);
  git(template, ['commit', '-q', '-m', 'flagpatch init']);
});

test.after(() => {
  for (const d of keep) fs.rmSync(d, { recursive: true, force: true });
});
test.after.each(cleanup);

/** A fresh clone of the initialized fork, installed as `npm install` would (node_modules + prepare). */
function forkClone(): { dir: string; remote: string } {
  const root = tmpdir();
  const remote = path.join(root, 'remote.git');
  git(root, ['clone', '-q', '--bare', template, remote]);
  const dir = path.join(root, 'fork');
  git(root, ['clone', '-q', remote, dir]);
  fs.symlinkSync(path.join(template, 'node_modules'), path.join(dir, 'node_modules'));
  const prepare = run(dir, 'node_modules/.bin/flagpatch', ['hook', 'install']);
  assert.is(prepare.code, 0, prepare.out);
  return { dir, remote };
}

const PATCH = () => `hardwares/A_X100/${id}/${id}.patch`;

/** git plumbing only: the patch committed at `rev`, applied to the base, gives `rev`'s tree outside owned paths. */
function assertPatchReproduces(dir: string, rev: string): void {
  const index = path.join(tmpdir(), 'index');
  const env = { GIT_INDEX_FILE: index };
  git(dir, ['read-tree', base], { env });
  const patch = spawnSync('git', ['show', `${rev}:${PATCH()}`], { cwd: dir, env: ENV }).stdout;
  git(dir, ['apply', '--cached'], { env, input: patch });
  const applied = git(dir, ['write-tree'], { env });
  const excludes = OWNED.map((p) => `:(exclude)${p}`);
  assert.is(git(dir, ['diff-tree', '-r', '--name-only', applied, `${rev}^{tree}`, '--', '.', ...excludes]), '', `patch at ${rev} reproduces the commit`);
}

function commit(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(dir, 'git', ['commit', '-q', ...args], env);
}

e2e('a plain commit regenerates and stages the patch, printing one line', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'def train():\n    return "A_X100"\n', 'flagscale/kernels.py': 'K = 1\n' });
  git(dir, ['add', '-A']);
  const r = commit(dir, ['-m', 'kernels']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `flagpatch: updated ${PATCH()} (2 files, +2 −1)`);
  assert.is(r.out.trim().split('\n').length, 1, 'one line');
  assert.ok(git(dir, ['diff-tree', '-r', '--name-only', 'HEAD']).includes(PATCH()));
  assertPatchReproduces(dir, 'HEAD');
  assert.is(git(dir, ['status', '--porcelain']), '');
  // A commit that changes no vendor code does not change the patch, and prints nothing.
  write(dir, { 'hetero.txt': '# no combinations yet\n' });
  const quiet = commit(dir, ['-am', 'registry comment']);
  assert.is(quiet.code, 0, quiet.out);
  assert.is(quiet.out, '');
  assert.is(git(dir, ['diff-tree', '--no-commit-id', '-r', '--name-only', 'HEAD']), 'hetero.txt');
});

e2e('git commit -a and git commit <paths> commit a matching patch; status shows nothing left over', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'def train():\n    return 2\n' });
  assert.is(commit(dir, ['-am', 'with -a']).code, 0);
  assertPatchReproduces(dir, 'HEAD');
  assert.is(git(dir, ['status', '--porcelain']), '');

  write(dir, { 'flagscale/train.py': 'def train():\n    return 3\n', 'README.md': '# FlagScale for A_X100\n' });
  const r = commit(dir, ['-m', 'only train.py', 'flagscale/train.py']);
  assert.is(r.code, 0, r.out);
  assertPatchReproduces(dir, 'HEAD');
  assert.not.match(git(dir, ['show', `HEAD:${PATCH()}`]), 'README.md', 'the uncommitted README edit is not in the patch');
  assert.is(git(dir, ['status', '--porcelain']), ' M README.md', 'only the unstaged edit is left');
});

e2e('--amend and a partly staged file: the patch matches the commit, unstaged hunks stay unstaged', () => {
  const { dir } = forkClone();
  const lines = fs.readFileSync(path.join(template, 'flagscale/model.py'), 'utf8').split('\n');
  lines[1] = 'line 1 staged';
  write(dir, { 'flagscale/model.py': lines.join('\n') });
  git(dir, ['add', 'flagscale/model.py']);
  lines[30] = 'line 30 unstaged';
  write(dir, { 'flagscale/model.py': lines.join('\n') });
  assert.is(commit(dir, ['-m', 'partial']).code, 0);
  assertPatchReproduces(dir, 'HEAD');
  const patch = git(dir, ['show', `HEAD:${PATCH()}`]);
  assert.match(patch, '+line 1 staged');
  assert.not.match(patch, 'line 30 unstaged');
  assert.match(git(dir, ['diff']), '+line 30 unstaged', 'the unstaged hunk is still unstaged');
  assert.is(git(dir, ['diff', '--cached']), '');

  git(dir, ['add', 'flagscale/model.py']);
  assert.is(commit(dir, ['--amend', '--no-edit']).code, 0);
  assertPatchReproduces(dir, 'HEAD');
  assert.match(git(dir, ['show', `HEAD:${PATCH()}`]), 'line 30 unstaged');
  assert.is(git(dir, ['rev-list', '--count', `${base}..HEAD`]), '2', 'amended, not added');
});

e2e('undoing every vendor change removes the patch; FLAGPATCH_SKIP=1 skips the refresh', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/extra.py': 'x = 1\n' });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'extra'], { FLAGPATCH_SKIP: '1' }).code, 0);
  assert.not.ok(git(dir, ['ls-files', PATCH()]), 'skipped');
  write(dir, { 'flagscale/extra.py': 'x = 2\n' });
  assert.is(commit(dir, ['-am', 'refresh']).code, 0);
  assert.ok(git(dir, ['ls-files', PATCH()]));
  git(dir, ['rm', '-q', 'flagscale/extra.py']);
  const r = commit(dir, ['-m', 'drop']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, `removed ${PATCH()}`);
  assert.not.ok(git(dir, ['ls-files', PATCH()]));
  assert.not.ok(fs.existsSync(path.join(dir, 'hardwares')), 'the empty folders go too');
});

e2e('lint-staged runs before the refresh, so the patch holds the linted files', () => {
  const { dir } = forkClone();
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pkg['lint-staged'] = { '*.py': 'node lint.mjs' };
  write(dir, {
    'package.json': JSON.stringify(pkg, null, 2),
    'lint.mjs': "import fs from 'node:fs';\nfor (const f of process.argv.slice(2)) fs.appendFileSync(f, '# linted\\n');\n",
  });
  git(dir, ['add', '-A']);
  assert.is(commit(dir, ['-m', 'lint setup'], { FLAGPATCH_SKIP: '1' }).code, 0);
  write(dir, { 'flagscale/train.py': 'def train():\n    return 4\n' });
  git(dir, ['add', 'flagscale/train.py']);
  const r = commit(dir, ['-m', 'linted']);
  assert.is(r.code, 0, r.out);
  assert.match(git(dir, ['show', `HEAD:${PATCH()}`]), '+# linted');
  assertPatchReproduces(dir, 'HEAD');
});

e2e('git push: a good push passes; stale, broken and hetero-breaking pushes are refused with fixes', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'def train():\n    return 5\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  const good = run(dir, 'git', ['push', '-q', 'origin', 'HEAD:main', 'HEAD:refs/heads/feature']);
  assert.is(good.code, 0, good.out);

  // A stale patch left by --no-verify.
  write(dir, { 'flagscale/train.py': 'def train():\n    return 6\n' });
  assert.is(commit(dir, ['--no-verify', '-am', 'sneaky']).code, 0);
  const stale = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(stale.code, 0);
  assert.match(stale.out, 'push refused');
  assert.match(stale.out, `${PATCH()}: stale`);
  assert.match(stale.out, 'fix: ');
  assert.is(commit(dir, ['--amend', '--no-edit']).code, 0, 'an amend with the hook on refreshes it');
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:main']).code, 0);

  // hetero.txt naming a device without a patch at that base.
  fs.appendFileSync(path.join(dir, 'hetero.txt'), `${id}: A_X100 B_Y100\n`);
  assert.is(commit(dir, ['-am', 'claim B']).code, 0);
  const hetero = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(hetero.code, 0);
  assert.match(hetero.out, /hetero\.txt:\d+: B_Y100 has no patch at/);

  // A malformed line.
  git(dir, ['reset', '-q', '--hard', 'HEAD~1']);
  fs.appendFileSync(path.join(dir, 'hetero.txt'), 'this is not a line\n');
  assert.is(commit(dir, ['-am', 'typo']).code, 0);
  const malformed = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(malformed.code, 0);
  assert.match(malformed.out, /hetero\.txt:\d+: expected/);

  // A patch that no longer applies.
  git(dir, ['reset', '-q', '--hard', 'HEAD~1']);
  const file = path.join(dir, PATCH());
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('-    return 1', '-    return 99'));
  assert.is(commit(dir, ['--no-verify', '-am', 'hand-edited patch']).code, 0);
  const broken = run(dir, 'git', ['push', 'origin', 'HEAD:main']);
  assert.is.not(broken.code, 0);
  assert.match(broken.out, 'does not apply on its base');

  // Several refs at once, with a deletion: the deletion needs no check, the bad tip is named.
  const multi = run(dir, 'git', ['push', 'origin', 'HEAD:refs/heads/other', ':refs/heads/feature']);
  assert.is.not(multi.code, 0);
  assert.match(multi.out, 'refs/heads/other');
  assert.is(run(dir, 'git', ['push', '-q', 'origin', ':refs/heads/feature']).code, 0, 'a deletion alone passes');
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:refs/heads/other'], { FLAGPATCH_SKIP: '1' }).code, 0, 'FLAGPATCH_SKIP=1 skips');
});

e2e('npm run unpatch -- --dir build materializes the vendor tree in the fork', () => {
  const { dir } = forkClone();
  write(dir, { 'flagscale/train.py': 'def train():\n    return 7\n' });
  assert.is(commit(dir, ['-am', 'vendor']).code, 0);
  const r = spawnSync('npm', ['run', '--silent', 'unpatch', '--', '--dir', 'build'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...ENV, HOME: process.env.HOME } });
  assert.is(r.status, 0, r.stderr);
  const tree = path.join(dir, 'build', 'A_X100', 'fork');
  assert.is(fs.readFileSync(path.join(tree, 'flagscale/train.py'), 'utf8'), 'def train():\n    return 7\n');
  assert.is(git(tree, ['rev-parse', 'HEAD^']), base);
  assert.is(git(dir, ['status', '--porcelain']), '', 'build/ is ignored');
});

e2e('without a configured device the hooks do nothing; init twice changes nothing', () => {
  const { dir } = forkClone();
  const again = run(dir, process.execPath, [path.join(ROOT, 'dist/src/cli.js'), 'init', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(again.code, 0, again.out);
  assert.match(again.out, 'nothing changed');
  assert.is(git(dir, ['status', '--porcelain']), '');
  write(dir, { '.flagpatchrc.json': JSON.stringify({ exclude: ['package.json', 'package-lock.json'] }) });
  write(dir, { 'flagscale/train.py': 'x\n' });
  const r = commit(dir, ['-am', 'no device']);
  assert.is(r.code, 0, r.out);
  assert.is(r.out, '');
  assert.not.ok(git(dir, ['ls-files', 'hardwares']));
  assert.is(run(dir, 'git', ['push', '-q', 'origin', 'HEAD:main']).code, 0);
  assert.ok(remoteUp);
});

test.run();
