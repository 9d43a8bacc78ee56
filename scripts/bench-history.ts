// `npm run bench:history`: what the history hooks cost. On a generated fork (bench-repo.ts,
// 2k files by default) wired as `npm install` wires it (tracked hooks/, merge driver,
// flagpatch on node_modules/.bin), measured interleaved after a warm-up, medians reported:
//   merge   `git merge` of a vendor branch, hooks on (post-merge amends the merge commit with
//           the fresh patch) vs hooks off
//   rebase  a 20-commit vendor branch onto a moved main:
//           - `git rebase`, hooks on (post-rewrite gives every commit its fresh patch)
//           - `git rebase`, hooks off (the floor: it leaves stale patches)
//           - `git rebase -x 'flagpatch refresh --amend'`, hooks off (the documented command)
//           - the same rebase plus one `flagpatch refresh` and `git commit --amend` per
//             commit, as a person would run them by hand (target: hooks on ≤ 1.5× this)
//   node dist/scripts/bench-history.js [--size 2000] [--runs 5] [--commits 20] [--out FILE]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOOK_FILES } from '../src/hooks/install.js';
import { buildRepo, ENV, fileName, git } from './bench-repo.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SIZE = Number(flag('size', '2000'));
const RUNS = Number(flag('runs', '5'));
const COMMITS = Number(flag('commits', '20'));
const OUT = flag('out', '');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const OFF = ['-c', 'core.hooksPath=/dev/null'];

function sh(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...ENV, GIT_EDITOR: 'true', ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Interleaved timed runs of each variant, each after `setup`; run 0 warms caches. */
function measure(setup: () => void, variants: Record<string, () => void>): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i <= RUNS; i++) {
    for (const [name, fn] of Object.entries(variants)) {
      setup();
      const t = now();
      fn();
      if (i > 0) times[name].push(now() - t);
    }
    process.stdout.write('.');
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** A fork as `npm install` leaves it: tracked hooks, flagpatch on node_modules/.bin, the merge driver. */
function wire(dir: string): void {
  fs.mkdirSync(path.join(dir, 'hooks'), { recursive: true });
  for (const h of HOOK_FILES) fs.copyFileSync(path.join(ROOT, 'templates', 'hooks', h), path.join(dir, 'hooks', h));
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(CLI, path.join(dir, 'node_modules', '.bin', 'flagpatch'));
  fs.chmodSync(CLI, 0o755);
  sh(dir, process.execPath, [CLI, 'hook', 'install']);
}

/** A vendor commit with the hooks on: one more line in file `i`. */
function vendorCommit(dir: string, i: number, message: string): void {
  fs.appendFileSync(path.join(dir, fileName(i)), `${message.replace(/\W/g, '_')} = 1\n`);
  sh(dir, 'git', ['commit', '-q', '-am', message]);
}

function main(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flagpatch-bench-history-'));
  try {
    const dir = path.join(root, 'fork');
    process.stdout.write(`${SIZE} files, ${COMMITS}-commit rebase: building`);
    buildRepo(dir, SIZE);
    wire(dir);
    sh(dir, 'git', ['add', '-A']);
    sh(dir, 'git', ['commit', '-q', '-m', 'vendor adaptation with its patch']);
    const start = git(dir, ['rev-parse', 'HEAD']);
    git(dir, ['checkout', '-q', '-b', 'topic']);
    for (let c = 0; c < COMMITS; c++) vendorCommit(dir, 10 + c * 7, `topic ${c}`);
    const topic = git(dir, ['rev-parse', 'HEAD']);
    git(dir, ['checkout', '-q', 'main']);
    vendorCommit(dir, 3, 'main moves');
    const main = git(dir, ['rev-parse', 'HEAD']);
    git(dir, ['checkout', '-q', '-b', 'side', start]);
    vendorCommit(dir, 5, 'side work');
    git(dir, ['checkout', '-q', 'main']);
    process.stdout.write('; measuring');

    const merge = measure(() => git(dir, ['reset', '-q', '--hard', main]), {
      on: () => sh(dir, 'git', ['merge', '-q', '--no-edit', 'side']),
      off: () => sh(dir, 'git', [...OFF, 'merge', '-q', '--no-edit', 'side']),
    });
    const bin = 'node_modules/.bin/flagpatch';
    const rebase = measure(() => git(dir, ['checkout', '-q', '-f', '-B', 'topic', topic]), {
      on: () => sh(dir, 'git', ['rebase', '-q', main]),
      off: () => sh(dir, 'git', [...OFF, 'rebase', '-q', main]),
      exec: () => sh(dir, 'git', [...OFF, 'rebase', '-q', '-x', `${bin} refresh --amend`, main]),
      hand: () => sh(dir, 'git', [...OFF, 'rebase', '-q', '-x', `${bin} refresh && git commit -q --amend --no-edit --no-verify --allow-empty`, main]),
    });
    // What is measured must be right: both ways leave every commit fresh.
    for (const args of [
      ['rebase', '-q', main],
      [...OFF, 'rebase', '-q', '-x', `${bin} refresh --amend`, main],
    ]) {
      git(dir, ['checkout', '-q', '-f', '-B', 'topic', topic]);
      sh(dir, 'git', args);
      for (let c = 0; c < COMMITS; c++) sh(dir, process.execPath, [CLI, 'check', `HEAD~${c}`]);
    }
    process.stdout.write(' done\n');

    const ms = (x: number) => `${Math.round(x)} ms`;
    const ratio = rebase.on / rebase.hand;
    const md = [
      `# History benchmark (${SIZE} files, median of ${RUNS})`,
      '',
      '| operation | hooks on | hooks off / by hand | ratio | target |',
      '|---|---|---|---|---|',
      `| git merge of a vendor branch | ${ms(merge.on)} | ${ms(merge.off)} | ${(merge.on / merge.off).toFixed(2)}× | report |`,
      `| ${COMMITS}-commit rebase, hooks on (post-rewrite) vs off (stale) | ${ms(rebase.on)} | ${ms(rebase.off)} | ${(rebase.on / rebase.off).toFixed(2)}× | report |`,
      `| ${COMMITS}-commit rebase, hooks on vs refresh + amend per commit by hand | ${ms(rebase.on)} | ${ms(rebase.hand)} | ${ratio.toFixed(2)}× | ≤ 1.5× ${ratio <= 1.5 ? 'ok' : 'MISSED'} |`,
      `| ${COMMITS}-commit rebase -x 'flagpatch refresh --amend' vs by hand | ${ms(rebase.exec)} | ${ms(rebase.hand)} | ${(rebase.exec / rebase.hand).toFixed(2)}× | report |`,
      '',
      'Rerun: `npm run bench:history` (`--size N --runs N --commits N --out FILE`).',
      '',
    ].join('\n');
    process.stdout.write(`\n${md}`);
    if (OUT) fs.writeFileSync(OUT, md);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main();
