// `npm run bench:upstream`: `impact` and fork `rebase --onto` against git doing the same
// merges itself, side by side (medians of interleaved runs after a warm-up).
//   impact over 12 devices        vs  per device: base + patch as a commit, then `git merge-tree` onto REV
//   impact --first-bad            merges per device vs log2(commits) + 2
//   fork rebase --onto REV        vs  `git merge REV` + one refresh
// The repository (git fast-import): N files, 12 device patches of ~20 files each on one base,
// then C upstream commits touching a few files each; one of them conflicts with device 3,
// one moves the context of device 5 (three-way merge needed). Writes docs/BENCHMARKS-UPSTREAM.md.
//   node dist/scripts/bench-upstream.js [--size 10000] [--commits 500] [--runs 5]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { impact, patch, rebase, refresh } from '../src/index.js';
import { ENV, git } from './bench-repo.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SIZE = Number(flag('size', '10000'));
const COMMITS = Number(flag('commits', '500'));
const RUNS = Number(flag('runs', '5'));
const DEVICES = 12;
const OUT = flag('out', path.join(ROOT, 'docs', 'BENCHMARKS-UPSTREAM.md'));

const file = (i: number) => `flagscale/pkg${Math.floor(i / 100)}/mod${i % 100}.py`;
const body = (i: number, edit: Record<number, string> = {}) => Array.from({ length: 30 }, (_, k) => edit[k] ?? `v${i}_${k} = ${k}\n`).join('');
const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function build(dir: string): { base: string; head: string } {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'gc.auto', '0']);
  const chunks: Buffer[] = [];
  const out = (s: string) => chunks.push(Buffer.from(s));
  const data = (s: string) => out(`data ${Buffer.byteLength(s)}\n${s}\n`);
  const t = 1700000000;
  out(`commit refs/heads/main\nmark :1\ncommitter Bench <b@example.com> ${t} +0000\n`);
  data('base');
  for (let i = 0; i < SIZE; i++) {
    out(`M 100644 inline ${file(i)}\n`);
    data(body(i));
  }
  // Vendor branches: device d edits line 10 of files d*20 .. d*20+19.
  for (let d = 0; d < DEVICES; d++) {
    out(`commit refs/heads/vendor${d}\ncommitter Bench <b@example.com> ${t + 1} +0000\n`);
    data(`[D${d}] adapt`);
    out('from :1\n');
    for (let f = d * 20; f < d * 20 + 20; f++) {
      out(`M 100644 inline ${file(f)}\n`);
      data(body(f, { 10: `v${f}_10 = "D${d}"\n` }));
    }
  }
  // Upstream moves: commits on files no device touches, except one conflict and one context move.
  for (let c = 0; c < COMMITS; c++) {
    out(`commit refs/heads/main\ncommitter Bench <b@example.com> ${t + 10 + c} +0000\n`);
    const f = c === Math.floor(COMMITS * 0.7) ? 3 * 20 + 5 : c === Math.floor(COMMITS * 0.3) ? 5 * 20 + 5 : DEVICES * 20 + ((c * 37) % (SIZE - DEVICES * 20));
    const line = f === 3 * 20 + 5 ? 10 : f === 5 * 20 + 5 ? 8 : c % 30;
    data(`upstream ${c}`);
    out(`M 100644 inline ${file(f)}\n`);
    data(body(f, { [line]: `upstream_${c} = True\n` }));
  }
  out('done\n');
  execFileSync('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env: ENV, input: Buffer.concat(chunks), maxBuffer: 1 << 30 });
  git(dir, ['checkout', '-q', '-f', 'main']);
  return { base: git(dir, ['rev-list', '--max-parents=0', 'main']), head: git(dir, ['rev-parse', 'main']) };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flagpatch-bench-upstream-'));
  try {
    const up = path.join(root, 'up');
    process.stdout.write(`building ${SIZE} files, ${DEVICES} devices, ${COMMITS} upstream commits... `);
    const { base, head } = build(up);
    const env = { ...ENV };
    // Each device's patch, committed on main (as upstream holds them).
    const id = base.slice(0, 6);
    const entries: string[] = [];
    for (let d = 0; d < DEVICES; d++) {
      const r = await patch({ cwd: up, env, deviceTypes: [`D${d}`], baseCommitId: base, currentCommitId: `vendor${d}` });
      entries.push(`100644 ${git(up, ['rev-parse', `${r.commit}:${r.patchPath}`])}\t${r.patchPath}`);
    }
    const idx = { GIT_INDEX_FILE: path.join(root, 'idx') };
    git(up, ['read-tree', head], { env: idx });
    git(up, ['update-index', '--index-info'], { env: idx, input: entries.join('\n') + '\n' });
    const tip = git(up, ['commit-tree', git(up, ['write-tree'], { env: idx }), '-p', head, '-m', 'patches'], { env: idx });
    git(up, ['reset', '-q', '--hard', tip]);
    console.log('done');

    // Floor for impact: what git itself needs per device to judge a merge onto HEAD.
    const floorImpact = () => {
      for (let d = 0; d < DEVICES; d++) {
        const i = { ...ENV, GIT_INDEX_FILE: path.join(root, `f${d}`) };
        const p = `hardwares/D${d}/${id}/${id}.patch`;
        execFileSync('git', ['read-tree', base], { cwd: up, env: i });
        execFileSync('git', ['apply', '--cached'], { cwd: up, env: i, input: execFileSync('git', ['show', `HEAD:${p}`], { cwd: up, env: ENV }) });
        const tree = execFileSync('git', ['write-tree'], { cwd: up, env: i }).toString().trim();
        const v = execFileSync('git', ['commit-tree', tree, '-p', base, '-m', 'v'], { cwd: up, env: i }).toString().trim();
        spawnSync('git', ['merge-tree', '--write-tree', v, 'HEAD'], { cwd: up, env: i });
      }
    };
    const ours: number[] = [];
    const floor: number[] = [];
    let states = '';
    for (let r = 0; r <= RUNS; r++) {
      let t = now();
      const res = await impact({ cwd: up, env });
      const a = now() - t;
      t = now();
      floorImpact();
      const b = now() - t;
      if (r > 0) {
        ours.push(a);
        floor.push(b);
      }
      states = res.patches.map((p) => `${p.device} ${p.state}`).join(', ');
    }
    const fb = await impact({ cwd: up, env, firstBad: true });
    const breaking = `upstream ${Math.floor(COMMITS * 0.7)}`; // the commit made to conflict with D3
    const merges = fb.patches
      .filter((p) => p.firstBad)
      .map(
        (p) =>
          `${p.device}: ${p.firstBad!.merges} bisection merges, first bad ${p.firstBad!.commit.slice(0, 7)} "${p.firstBad!.subject}" (${p.firstBad!.subject === breaking ? 'exact' : `WRONG: expected "${breaking}"`})`,
      );

    // A fork of device D0 (its patch carries cleanly), with its config and fresh patch.
    const forkDir = path.join(root, 'fork');
    git(root, ['clone', '-q', '--no-tags', up, forkDir]);
    git(forkDir, ['checkout', '-q', '-B', 'v', 'origin/vendor0']);
    fs.writeFileSync(path.join(forkDir, '.flagpatchrc.json'), `${JSON.stringify({ deviceType: 'D0', baseCommit: base }, null, 2)}\n`);
    // The same patch file upstream holds, so a plain `git merge` (the floor) is clean too.
    git(forkDir, ['checkout', '-q', 'origin/main', '--', `hardwares/D0/${id}`]);
    git(forkDir, ['add', '-A']);
    git(forkDir, ['commit', '-q', '--no-verify', '-m', 'fork set-up']);
    const forkHead = git(forkDir, ['rev-parse', 'HEAD']);
    const reset = () => git(forkDir, ['reset', '-q', '--hard', forkHead]);
    const rOurs: number[] = [];
    const rFloor: number[] = [];
    for (let r = 0; r <= RUNS; r++) {
      reset();
      let t = now();
      await rebase({ cwd: forkDir, env, onto: 'origin/main' });
      const a = now() - t;
      reset();
      t = now();
      git(forkDir, ['merge', '-q', '--no-edit', '--no-verify', 'origin/main']);
      await refresh({ cwd: forkDir, env });
      const b = now() - t;
      if (r > 0) {
        rOurs.push(a);
        rFloor.push(b);
      }
    }

    const lines = [
      '# Upstream benchmarks (`npm run bench:upstream`)',
      '',
      `${SIZE} files, ${DEVICES} device patches of 20 files each, ${COMMITS} upstream commits; medians of ${RUNS} interleaved runs after a warm-up (${os.cpus().length} cores, git ${git(up, ['--version']).replace('git version ', '')}).`,
      '',
      '| what | flagpatch | git alone | ratio | target |',
      '|---|---|---|---|---|',
      `| impact, ${DEVICES} devices | ${median(ours).toFixed(0)} ms | ${median(floor).toFixed(0)} ms (apply + merge-tree per device) | ${(median(ours) / median(floor)).toFixed(2)}× | ≤ 1.5× |`,
      `| fork rebase --onto | ${median(rOurs).toFixed(0)} ms | ${median(rFloor).toFixed(0)} ms (git merge + refresh) | ${(median(rOurs) / median(rFloor)).toFixed(2)}× | ≤ 1.3× |`,
      '',
      `States: ${states}.`,
      '',
      `--first-bad over ${COMMITS} commits (target ≤ log2(${COMMITS}) + 2 = ${(Math.log2(COMMITS) + 2).toFixed(1)} merges, counting the one at REV): ${merges.join('; ') || 'none'}.`,
      '',
      'How to read it: "git alone" builds each device\'s vendor commit (read-tree, apply, write-tree, commit-tree) and runs `git merge-tree` onto REV for every device; `impact` first checks a plain apply on a temporary index holding only the touched paths and merges (all targets in one `merge-tree --stdin`) only where that fails, which is why it can beat the floor. The fork floor is `git merge --no-edit REV` followed by the refresh the pre-commit hook runs.',
      '',
    ];
    console.log(lines.join('\n'));
    fs.writeFileSync(OUT, lines.join('\n'));
    console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
