// Fault injection: `patch`, `unpatch --dir` and the pre-commit refresh killed at random
// moments, with SIGKILL (the process alone, as `kill -9` does) or SIGINT (its whole process
// group, as Ctrl-C does). After every trial the guarantees of the SPEC are checked; after a
// SIGKILL a plain rerun must also remove whatever the killed run left.
// Used by test/faults.test.ts (a short seeded share) and scripts/reliability.ts (--trials N).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, ENV, commitAll, dirty, fork, git, gitDirListing, snapshot, tmpdir, upstream, write, type Snapshot } from './repos.js';

export type Kind = 'patch' | 'unpatch' | 'refresh';

export interface TrialReport {
  kind: Kind;
  trials: number;
  /** Runs the signal reached before they ended. */
  interrupted: number;
  sigkill: number;
  sigint: number;
  failures: string[];
}

/** A small seeded generator (mulberry32), so a failing trial can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  interrupted: boolean;
  pid: number;
}

/** Runs the CLI in its own process group; after `delayMs` sends `signal`; waits for the group to drain. */
function runAndKill(cwd: string, args: string[], env: NodeJS.ProcessEnv, delayMs: number, signal: 'SIGKILL' | 'SIGINT'): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...ENV, ...env }, detached: true, stdio: 'ignore' });
    let interrupted = false;
    const timer = setTimeout(() => {
      try {
        // Ctrl-C reaches the whole group; kill -9 only the process (its git children finish).
        if (signal === 'SIGINT') process.kill(-child.pid!, 'SIGINT');
        else process.kill(child.pid!, 'SIGKILL');
        interrupted = true;
      } catch {
        // already gone
      }
    }, delayMs);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      const drained = () => {
        try {
          process.kill(-child.pid!, 0);
          setTimeout(drained, 10);
        } catch {
          resolve({ code, signal: sig, interrupted: interrupted && sig !== null, pid: child.pid! });
        }
      };
      drained();
    });
  });
}

function fsckProblems(dir: string): string | null {
  try {
    const out = git(dir, ['fsck', '--no-dangling', '--no-progress']);
    return /error|missing|broken|corrupt/i.test(out) ? out : null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Files under `dir` named like flagpatch's temporaries. */
function strays(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const full = path.join(d, name);
      if (/flagpatch-\d+/.test(name)) out.push(path.relative(dir, full));
      if (fs.lstatSync(full).isDirectory() && name !== 'objects') walk(full);
    }
  };
  walk(dir);
  return out;
}

function locks(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const full = path.join(d, name);
      if (name.endsWith('.lock')) out.push(path.relative(dir, full));
      else if (fs.lstatSync(full).isDirectory() && name !== 'objects') walk(full);
    }
  };
  walk(path.join(dir, '.git'));
  return out;
}

const same = (a: Snapshot, b: Snapshot, skip: (file: string) => boolean = () => false, index = true) => {
  const strip = (s: Snapshot) => ({ ...s, index: index ? s.index : '', files: Object.fromEntries(Object.entries(s.files).filter(([f]) => !skip(f))) });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
};

export async function faultTrials(kind: Kind, trials: number, seed: number): Promise<TrialReport> {
  const random = rng(seed);
  const report: TrialReport = { kind, trials: 0, interrupted: 0, sigkill: 0, sigint: 0, failures: [] };
  const root = tmpdir();
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const env = { TMPDIR: tmp };
  runEnv = env; // reruns use the same temp dir, so they find what a killed run left
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  const id = up.base.slice(0, 6);
  const patchRel = `hardwares/A_X100/${id}/${id}.patch`;
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }) });
  for (let i = 0; i < 40; i++) write(v, { [`flagscale/gen/m${i}.py`]: `x = ${i}\n`.repeat(50) });
  write(v, { 'flagscale/train.py': 'vendor 1\n', 'flagscale/blob.bin': Buffer.from([0, 1, 2, 255]) });
  commitAll(v, 'vendor');

  let args: string[];
  let check: (o: Outcome, before: Snapshot) => string | null;
  let reset: () => void = () => {};
  const out = path.join(root, 'out');

  if (kind === 'patch') {
    args = ['patch'];
    dirty(v);
    check = (_o, before) => {
      const after = snapshot(v);
      const ref = after.refs.split('\n').find((l) => l.startsWith('refs/heads/flagpatch/A_X100 '));
      const noSubmission = (x: Snapshot) => ({
        ...x,
        refs: x.refs
          .split('\n')
          .filter((l) => !l.startsWith('refs/heads/flagpatch/'))
          .join('\n'),
      });
      if (!same(noSubmission(after), noSubmission(before))) return 'the work tree, index, HEAD, refs or stash changed';
      if (ref) {
        const sha = ref.split(' ')[1];
        if (git(v, ['rev-parse', `${sha}^`]) !== up.base) return 'the submission branch points at a commit that is not on the base';
        if (!git(v, ['ls-tree', '-r', '--name-only', sha]).includes(patchRel)) return 'the submission commit lacks the patch';
      }
      return null;
    };
  } else if (kind === 'unpatch') {
    assertOk(run(v, ['patch']));
    git(v, ['checkout', '-q', 'flagpatch/A_X100', '--', 'hardwares']);
    commitAll(v, 'patch');
    dirty(v);
    args = ['unpatch', '--dir', out];
    const expected = treeOfRun(v, out);
    const gitDir = gitDirListing(v);
    reset = () => {
      // Half the trials replace a tree flagpatch made before; half build into an empty DIR.
      if (random() < 0.5) fs.rmSync(out, { recursive: true, force: true });
      else if (!fs.existsSync(path.join(out, 'A_X100', 'vendor', '.git'))) assertOk(run(v, args));
    };
    check = (_o, before) => {
      if (!same(snapshot(v), before)) return 'the source work tree, index, HEAD, refs or stash changed';
      if (JSON.stringify(gitDirListing(v)) !== JSON.stringify(gitDir)) return 'a file under the source .git/ changed';
      const tree = path.join(out, 'A_X100', 'vendor');
      if (fs.existsSync(tree)) {
        try {
          if (git(tree, ['rev-parse', 'HEAD^{tree}']) !== expected) return 'a half-built tree is in place';
          if (git(tree, ['status', '--porcelain'])) return 'the materialized tree is not clean';
        } catch (e) {
          return `a broken tree is in place: ${(e as Error).message.split('\n')[0]}`;
        }
      }
      const entries = fs.existsSync(path.join(out, 'A_X100')) ? fs.readdirSync(path.join(out, 'A_X100')).filter((n) => n !== 'vendor') : [];
      if (entries.some((n) => !/^\.vendor\.flagpatch-\d+-/.test(n))) return `unexpected files under DIR: ${entries.join(', ')}`;
      return null;
    };
  } else {
    // The refresh, as the hook runs it, on a staged vendor edit.
    git(v, ['checkout', '-q', '--', '.']);
    assertOk(run(v, ['refresh']));
    commitAll(v, 'with patch');
    write(v, { 'flagscale/train.py': 'vendor 2\n', 'flagscale/new.py': 'n = 1\n' });
    git(v, ['add', '-A']);
    write(v, { 'flagscale/train.py': 'vendor 2 + unstaged\n', 'scratch.txt': 'untracked\n' });
    const index = path.join(v, '.git', 'index');
    const oldIndex = fs.readFileSync(index);
    const oldPatch = fs.readFileSync(path.join(v, patchRel));
    const oldEntries = git(v, ['ls-files', '-s']);
    assertOk(run(v, ['refresh']));
    const newPatch = fs.readFileSync(path.join(v, patchRel));
    const newEntries = git(v, ['ls-files', '-s']);
    if (newPatch.equals(oldPatch)) throw new Error('fault setup: the refresh did not change the patch');
    reset = () => {
      fs.writeFileSync(index, oldIndex);
      fs.writeFileSync(path.join(v, patchRel), oldPatch);
    };
    args = ['hook', 'pre-commit'];
    check = (_o, before) => {
      // The index is judged below by its entries: old or new.
      if (!same(snapshot(v), before, (f) => f === patchRel || /flagpatch-\d+/.test(f), false)) return 'files other than the patch changed';
      const p = fs.readFileSync(path.join(v, patchRel));
      if (!p.equals(oldPatch) && !p.equals(newPatch)) return 'the patch file is neither the old nor the new one';
      const entries = git(v, ['ls-files', '-s']);
      if (entries !== oldEntries && entries !== newEntries) return 'the index is neither the old nor the new one';
      return null;
    };
    reset();
  }

  // How long an uninterrupted run takes, to spread the kills over it.
  reset();
  let t = Date.now();
  assertOk(run(v, args));
  const full = Date.now() - t;

  for (let i = 0; i < trials; i++) {
    reset();
    const before = snapshot(v);
    const signal = random() < 0.5 ? 'SIGKILL' : 'SIGINT';
    const delay = Math.floor(random() * full * 1.1);
    const o = await runAndKill(v, args, env, delay, signal);
    report.trials++;
    if (o.interrupted) {
      report.interrupted++;
      if (signal === 'SIGKILL') report.sigkill++;
      else report.sigint++;
    }
    const where = `${kind} trial ${i} (seed ${seed}, ${signal} after ${delay} ms)`;
    const problems: string[] = [];
    const c = check(o, before);
    if (c) problems.push(c);
    const f = fsckProblems(v);
    if (f) problems.push(`git fsck: ${f}`);
    const l = locks(v);
    if (l.length) problems.push(`stale locks: ${l.join(', ')}`);
    if (!o.interrupted || signal === 'SIGINT') {
      // Finished, or interrupted with a chance to clean up: nothing of ours may remain.
      const left = [...fs.readdirSync(tmp), ...strays(v).map((s) => `repo:${s}`)];
      if (kind === 'unpatch' && fs.existsSync(path.join(out, 'A_X100'))) left.push(...fs.readdirSync(path.join(out, 'A_X100')).filter((n) => n !== 'vendor'));
      if (left.length) problems.push(`left behind: ${left.join(', ')}`);
    } else {
      // After SIGKILL a plain rerun must remove what the killed run left and succeed.
      reset();
      t = Date.now();
      const again = run(v, args);
      if (again.code !== 0) problems.push(`rerun failed: ${again.stderr}`);
      const left = [...fs.readdirSync(tmp), ...strays(v).map((s) => `repo:${s}`)];
      if (kind === 'unpatch') left.push(...fs.readdirSync(path.join(out, 'A_X100')).filter((n) => n !== 'vendor'));
      if (left.length) problems.push(`left behind after a rerun: ${left.join(', ')}`);
    }
    if (problems.length) report.failures.push(`${where}: ${problems.join('; ')}`);
  }
  return report;
}

let runEnv: NodeJS.ProcessEnv = {};

function run(cwd: string, args: string[]): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...ENV, ...runEnv }, encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

function assertOk(r: { code: number; stderr: string }): void {
  if (r.code !== 0) throw new Error(`fault setup failed: ${r.stderr}`);
}

/** The tree an uninterrupted unpatch gives (built once into a scratch folder). */
function treeOfRun(v: string, out: string): string {
  const scratch = `${out}-reference`;
  assertOk(run(v, ['unpatch', '--dir', scratch]));
  const tree = git(path.join(scratch, 'A_X100', 'vendor'), ['rev-parse', 'HEAD^{tree}']);
  fs.rmSync(scratch, { recursive: true, force: true });
  return tree;
}
