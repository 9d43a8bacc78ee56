// The story behind test/rebase.test.ts and test/impact.test.ts: an upstream whose main holds
// two vendors' patches on one base (and their hetero combination), then moves on:
//   U1 unrelated to the patches, U2 moves the context of A_X100's hunk (plain apply fails,
//   a three-way merge is clean), U3 unrelated, U4 conflicts with A_X100, U5 unrelated.
// B_Y100's patch touches other files and carries everywhere.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, ENV, accept, commitAll as commitNow, flagpatch, fork, git, upstream, write } from './helpers.js';

export const MODEL = 'flagscale/model.py';

/** model.py: `line 0` ... `line 39`, one per line, with some lines replaced. */
export function model(changes: Record<number, string> = {}): string {
  return Array.from({ length: 40 }, (_, i) => `${changes[i] ?? `line ${i}`}\n`).join('');
}

export interface Story {
  root: string;
  up: string;
  base: string;
  id: string;
  /** Upstream commits after the base, by name. */
  u: { u1: string; u2: string; u3: string; u4: string; u5: string };
  /** A_X100's fork (its own clone of upstream at the base). */
  vendorA: string;
}

/** A_X100 changes line 20 of model.py and adds a kernel file. */
export const A_CHANGES = { [MODEL]: model({ 20: 'line 20 on A_X100' }), 'flagscale/a_kernels.py': 'K = 1\n' };

export function story(root: string, opts: { moveOn?: boolean } = {}): Story {
  const up = upstream(root); // its model.py is model()
  const base = up.base;
  const id = base.slice(0, 6);

  // Vendor A's fork: config, vendor code, its patch refreshed as the hook would, committed.
  const vendorA = fork(up.dir, path.join(root, 'vendor-A'));
  write(vendorA, { '.flagpatchrc.json': `${JSON.stringify({ deviceType: 'A_X100', baseCommit: base }, null, 2)}\n`, 'hetero.txt': '# A_X100 fork\n', ...A_CHANGES });
  git(vendorA, ['add', '-A']);
  const refreshed = flagpatch(vendorA, ['refresh']);
  if (refreshed.code !== 0) throw new Error(`fixture: refresh failed: ${refreshed.stderr}`);
  commitNow(vendorA, '[A_X100] adapt model.py');
  // Upstream takes A's submission, then B's heterogeneous one on the same base.
  const sub = flagpatch(vendorA, ['patch']);
  if (sub.code !== 0) throw new Error(`fixture: patch failed: ${sub.stderr}`);
  accept(up.dir, vendorA, 'flagpatch/A_X100');
  const vendorB = fork(up.dir, path.join(root, 'vendor-B'));
  git(vendorB, ['checkout', '-q', '-b', 'b', base]);
  write(vendorB, { 'flagscale/train.py': 'def train():\n    return "B_Y100"\n', 'tools/run.sh': '#!/bin/sh\necho run on B_Y100\n' });
  commitNow(vendorB, '[B_Y100] run on B_Y100');
  const subB = flagpatch(vendorB, ['patch', '--device-type', 'A_X100', 'B_Y100', '--base-commit-id', base, '--onto', 'origin/main']);
  if (subB.code !== 0) throw new Error(`fixture: patch B failed: ${subB.stderr}`);
  accept(up.dir, vendorB, 'flagpatch/B_Y100');

  const u = { u1: '', u2: '', u3: '', u4: '', u5: '' };
  // Later commits get later dates (the helpers' clock is fixed), so "newest base" means something.
  let day = 1;
  const commitAll = (dir: string, message: string) => {
    git(dir, ['add', '-A']);
    const date = `2026-02-0${day++}T00:00:00Z`;
    git(dir, ['commit', '-q', '--no-verify', '-m', message], { env: { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date } });
    return git(dir, ['rev-parse', 'HEAD']);
  };
  if (opts.moveOn !== false) {
    write(up.dir, { 'README.md': '# FlagScale\n\nNow with docs.\n', '.flagpatchrc.json': '{\n  "patchDir": "hardwares"\n}\n' });
    u.u1 = commitAll(up.dir, '[docs] Explain FlagScale');
    write(up.dir, { [MODEL]: model({ 18: 'line 18 moved by upstream' }) });
    u.u2 = commitAll(up.dir, '[model] Rework line 18');
    write(up.dir, { 'flagscale/old.py': 'old = False\n' });
    u.u3 = commitAll(up.dir, '[old] Flip the flag');
    write(up.dir, { [MODEL]: model({ 18: 'line 18 moved by upstream', 20: 'line 20 changed by upstream' }) });
    u.u4 = commitAll(up.dir, '[vLLM] Update to the latest upstream code');
    write(up.dir, { 'flagscale/moved.py': 'moved = 2\n' });
    u.u5 = commitAll(up.dir, '[misc] Bump moved');
  }
  return { root, up: up.dir, base, id, u, vendorA };
}

/** Installs a pre-commit hook that runs the built CLI's hook, as husky's hooks/pre-commit does. */
export function installHook(dir: string): void {
  const hooks = path.join(dir, '.git', 'test-hooks');
  fs.mkdirSync(hooks, { recursive: true });
  fs.writeFileSync(path.join(hooks, 'pre-commit'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" hook pre-commit\n`, { mode: 0o755 });
  git(dir, ['config', 'core.hooksPath', hooks]);
}

/** The tree `rev` + the patch file `patch` (bytes) gives, by plain `git apply` on a temporary index. */
export function applyPatch(dir: string, rev: string, patch: Buffer, scratch: string): string {
  const env = { ...ENV, GIT_INDEX_FILE: path.join(scratch, `index-${Math.random().toString(36).slice(2)}`) };
  const run = (args: string[], input?: Buffer) => {
    const r = spawnSync('git', args, { cwd: dir, env, input });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.toString().trim();
  };
  run(['read-tree', rev]);
  run(['apply', '--cached'], patch);
  return run(['write-tree']);
}

/** One story per test file: made before its tests, removed after them; `set` receives it. */
export function withStory(suite: { before(fn: () => void): void; after(fn: () => void): void }, name: string, set: (s: Story) => void): void {
  let root = '';
  suite.before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `flagpatch-${name}-`)));
    set(story(root));
  });
  suite.after(() => fs.rmSync(root, { recursive: true, force: true }));
}

/** A fresh copy of vendor A's fork in `parent`, with upstream's history fetched (as `git fetch upstream`). */
export function copyFork(s: Story, parent: string): string {
  const dir = path.join(parent, 'fork');
  git(parent, ['clone', '-q', s.vendorA, dir]);
  for (const [k, v] of [
    ['commit.gpgSign', 'false'],
    ['gc.auto', '0'],
    ['core.autocrlf', 'false'],
  ])
    git(dir, ['config', k, v]);
  git(dir, ['fetch', '-q', s.up, '+main:refs/remotes/upstream/main']);
  return dir;
}
