// `npm run demo`: the whole lifecycle on an embedded sample, in a temporary folder.
// An upstream repository, two vendor forks (A_X100, B_Y100) of one base; A's patch, then B's
// heterogeneous patch on the same base; check and status; both trees materialized; then
// upstream moves (impact shows what breaks) and A rebases its fork and resubmits.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flagpatch-demo-'));
const keep = process.argv.includes('--keep');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Demo Vendor',
  GIT_AUTHOR_EMAIL: 'demo@vendor.example',
  GIT_COMMITTER_NAME: 'Demo Vendor',
  GIT_COMMITTER_EMAIL: 'demo@vendor.example',
};

const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[22m` : s);

function say(title: string): void {
  console.log(`\n${bold(`== ${title}`)}`);
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs the CLI as a user would, showing the command and its output. */
function flagpatch(cwd: string, args: string[], expect = 0): string {
  console.log(`$ (${path.relative(root, cwd) || '.'}) flagpatch ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  process.stdout.write(r.stdout.replace(/^/gm, '  ').replace(/ +$/, ''));
  process.stdout.write(r.stderr.replace(/^/gm, '  ').replace(/ +$/, ''));
  if (r.status !== expect) throw new Error(`expected exit ${expect}, got ${r.status}`);
  return r.stdout;
}

/** Runs a git command as the user would (hooks included), showing what it prints. */
function shell(cwd: string, ...args: string[]): number {
  console.log(`$ (${path.relative(root, cwd)}) ${args.join(' ')}`);
  const r = spawnSync(args[0], args.slice(1), { cwd, env, encoding: 'utf8' });
  process.stdout.write(`${r.stdout}${r.stderr}`.replace(/^/gm, '  ').replace(/ +$/, ''));
  if (r.status !== 0) console.log(`  (exit ${r.status})`);
  return r.status ?? 1;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

try {
  say(`upstream: a small FlagScale at its base commit (in ${root})`);
  const up = path.join(root, 'FlagScale');
  fs.mkdirSync(up);
  git(up, 'init', '-q', '-b', 'main');
  write(up, {
    'README.md': '# FlagScale (sample)\n',
    'flagscale/train.py': 'def train(model):\n    device = "cuda"\n    return model.to(device)\n',
    'flagscale/ops/attention.py': 'def attention(q, k, v):\n    return (q @ k.T).softmax(-1) @ v\n',
    'flagscale/legacy.py': 'OLD = True\n',
  });
  git(up, 'add', '-A');
  git(up, 'commit', '-q', '-m', 'FlagScale base');
  const base = git(up, 'rev-parse', 'HEAD');
  const id = base.slice(0, 6);
  console.log(`base commit ${base}  → patch ID ${id}`);

  say('vendor A forks the base; `flagpatch init` wires the hooks');
  const remote = path.join(root, 'vendor-A.git');
  git(root, 'clone', '-q', '--bare', up, remote);
  const a = path.join(root, 'vendor-A');
  git(root, 'clone', '-q', remote, a);
  flagpatch(a, ['init', '--device-type', 'A_X100', '--base-commit-id', base]);
  // What `npm install` does in a fork: flagpatch and husky land in node_modules/.bin.
  fs.mkdirSync(path.join(a, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(CLI, path.join(a, 'node_modules', '.bin', 'flagpatch'));
  fs.chmodSync(CLI, 0o755);
  git(a, 'add', '-A');
  git(a, 'commit', '-q', '-m', 'flagpatch init');

  say('an ordinary commit regenerates and stages the patch');
  write(a, {
    'flagscale/train.py': 'def train(model):\n    device = "a_x100"\n    return model.to(device)\n',
    'flagscale/ops/a_x100_kernels.py': 'def fused_attention(q, k, v):\n    ...\n',
  });
  fs.rmSync(path.join(a, 'flagscale/legacy.py'));
  git(a, 'add', '-A');
  shell(a, 'git', 'commit', '-q', '-m', '[A_X100] run on A_X100 with fused attention');
  console.log(git(a, 'show', '--stat', '--format=%h %s', 'HEAD'));
  shell(a, 'git', 'push', '-q', 'origin', 'main');

  say('a commit made with --no-verify leaves the patch stale: the push is refused');
  write(a, { 'flagscale/ops/a_x100_kernels.py': 'def fused_attention(q, k, v):\n    return q\n' });
  shell(a, 'git', 'commit', '-q', '--no-verify', '-am', 'quick fix');
  shell(a, 'git', 'push', '-q', 'origin', 'main');
  shell(a, 'git', 'commit', '-q', '--amend', '--no-edit');
  shell(a, 'git', 'push', '-q', 'origin', 'main');

  say('vendor A makes the submission for upstream: the patch on top of the base');
  flagpatch(a, ['patch']);
  console.log(git(a, 'show', '--stat', '--format=%h %s', 'flagpatch/A_X100'));

  say('upstream accepts the patch (only the patch)');
  git(up, 'fetch', '-q', a, 'flagpatch/A_X100');
  git(up, 'merge', '-q', '--ff-only', 'FETCH_HEAD');
  flagpatch(up, ['check']);

  say('vendor B adapts the same base for B_Y100, to train together with A_X100');
  const b = path.join(root, 'vendor-B');
  git(root, 'clone', '-q', up, b);
  git(b, 'checkout', '-q', '-b', 'b-y100', base);
  write(b, {
    'flagscale/train.py': 'def train(model):\n    device = "b_y100"\n    return model.to(device)\n',
    'flagscale/ops/b_y100_comm.py': 'def all_reduce(x):\n    ...\n',
  });
  git(b, 'add', '-A');
  git(b, 'commit', '-q', '-m', 'B_Y100 collective communication');
  flagpatch(b, ['patch', '--device-type', 'A_X100', 'B_Y100', '--base-commit-id', id, '--onto', 'origin/main']);
  console.log(`hetero.txt in the submission: ${git(b, 'show', 'flagpatch/B_Y100:hetero.txt')}`);

  say('upstream accepts B; CI checks every patch and hetero.txt');
  git(up, 'fetch', '-q', b, 'flagpatch/B_Y100');
  git(up, 'merge', '-q', '--ff-only', 'FETCH_HEAD');
  flagpatch(up, ['check']);
  flagpatch(up, ['status']);

  say('a broken hetero.txt line is caught');
  write(up, { 'hetero.txt': `${id}: A_X100 B_Y100\n${id}: A_X100 C_Z1\n` });
  git(up, 'commit', '-q', '-am', 'claim C_Z1 without a patch');
  flagpatch(up, ['check'], 1);
  git(up, 'reset', '-q', '--hard', 'HEAD~1');

  say('a user materializes the heterogeneous pair as clean trees');
  flagpatch(up, ['unpatch', '--device-type', 'A_X100', 'B_Y100', '--commit-id', id, '--dir', 'build']);
  for (const dev of ['A_X100', 'B_Y100']) {
    const tree = path.join(up, 'build', dev, 'FlagScale');
    console.log(`${path.relative(root, tree)}: ${git(tree, 'log', '--format=%h %s', '-2').replace(/\n/g, ' | ')}`);
    console.log(`  train.py: ${fs.readFileSync(path.join(tree, 'flagscale/train.py'), 'utf8').split('\n')[1].trim()}`);
  }

  say('upstream moves on: an unrelated fix, then a change to a file A_X100 deleted');
  write(up, { 'README.md': '# FlagScale (sample)\n\nTrain on any chip.\n' });
  git(up, 'commit', '-q', '-am', '[docs] Say what FlagScale is for');
  const before = git(up, 'rev-parse', 'HEAD');
  write(up, { 'flagscale/legacy.py': 'OLD = False  # the new engine is the default\n' });
  git(up, 'commit', '-q', '-am', '[vLLM] Update to the latest upstream code');
  console.log('upstream CI runs impact on the pull request (docs/flagpatch-impact.yml):');
  flagpatch(up, ['impact', 'HEAD', '--since', before, '--first-bad'], 1);

  say('vendor A moves its fork to the new upstream: one merge commit, no history rewritten');
  git(a, 'remote', 'add', 'upstream', up);
  git(a, 'fetch', '-q', 'upstream');
  flagpatch(a, ['impact', 'upstream/main'], 1); // in a fork: exit 1, the patch does not carry yet
  flagpatch(a, ['rebase', '--onto', 'upstream/main'], 1);
  console.log('A_X100 keeps legacy.py deleted:');
  shell(a, 'git', 'rm', '-q', 'flagscale/legacy.py');
  flagpatch(a, ['rebase', '--continue']);
  console.log(git(a, 'log', '--graph', '--format=%h %s', '-4'));
  flagpatch(a, ['check']);
  shell(a, 'git', 'push', '-q', 'origin', 'main');

  say('vendor A submits the patch for the new base; upstream takes it');
  flagpatch(a, ['patch', '--onto', 'upstream/main']);
  git(up, 'fetch', '-q', a, 'flagpatch/A_X100');
  git(up, 'merge', '-q', '--ff-only', 'FETCH_HEAD');
  flagpatch(up, ['impact']);
  console.log(`A_X100's newest patch carries; its patch at ${id} stays for the combination with B_Y100 on that base`);
  console.log('(check still passes there); to train together on the new base, B_Y100 rebases too.');
  console.log(`\nDone. ${keep ? `Everything is in ${root}` : 'Pass --keep to keep the sample repositories.'}`);
} finally {
  if (!keep) fs.rmSync(root, { recursive: true, force: true });
}
