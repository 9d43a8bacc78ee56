// `npm run bench`: flagpatch against git doing the bare minimum, side by side.
// Builds repositories of 2k, 10k and 100k files with git fast-import, each with a vendor
// adaptation of ~200 files (edits, adds, deletes, a rename, a rename with edits, a mode
// change, binary files), then measures interleaved (ours, floor, ours, floor...) after a
// warm-up and reports medians, ratios against the targets, and peak memory. Writes
// docs/BENCHMARKS.md and docs/benchmarks.svg.
//   node dist/scripts/bench.js [--sizes 2000,10000,100000] [--runs 7] [--out docs/BENCHMARKS.md]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, patch, refresh, unpatch } from '../src/index.js';
import { buildRepo, ENV, fileName, git } from './bench-repo.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}
const SIZES = flag('sizes', '2000,10000,100000').split(',').map(Number);
const RUNS = Number(flag('runs', '7'));
const OUT = flag('out', path.join(ROOT, 'docs', 'BENCHMARKS.md'));


// ---------------------------------------------------------------- measuring

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timed(fn: () => unknown): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

function sh(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: Buffer): void {
  const r = spawnSync(cmd, args, { cwd, env: { ...ENV, ...env }, input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Interleaved runs of ours and the floor, each after its own untimed setup, one warm-up each. */
async function compare(setup: () => void, ours: () => unknown, floor: () => unknown): Promise<{ ours: number; floor: number }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    setup();
    const x = await timed(ours);
    setup();
    const y = await timed(floor);
    if (i > 0) (a.push(x), b.push(y)); // run 0 warms caches
  }
  return { ours: median(a), floor: median(b) };
}

interface Row {
  size: number;
  metric: string;
  ours: number;
  floor: number;
  target: string;
  ok: boolean;
}

async function benchSize(root: string, n: number): Promise<{ rows: Row[]; peakMb: number | null }> {
  const dir = path.join(root, `repo-${n}`);
  process.stdout.write(`\n${n} files: building... `);
  const t0 = now();
  const b = buildRepo(dir, n);
  const env = { ...ENV };
  // The fork's committed state: vendor code, config and its fresh patch.
  await refresh({ cwd: dir, env });
  git(dir, ['commit', '-q', '--no-verify', '-m', 'flagpatch setup']);
  b.vendor = git(dir, ['rev-parse', 'HEAD']);
  const id = b.base.slice(0, 6);
  const patchFile = path.join(dir, 'hardwares', 'A_X100', id, `${id}.patch`);
  const patchBytes = fs.readFileSync(patchFile);
  // A one-line edit staged: the commit every measurement of the hook makes.
  fs.appendFileSync(path.join(dir, fileName(0)), 'one_more_line = 1\n');
  git(dir, ['add', fileName(0)]);
  const indexFile = path.join(dir, '.git', 'index');
  const savedIndex = fs.readFileSync(indexFile);
  const restore = () => {
    git(dir, ['reset', '-q', '--soft', b.vendor]);
    fs.writeFileSync(indexFile, savedIndex);
    fs.writeFileSync(patchFile, patchBytes);
  };
  process.stdout.write(`${Math.round(now() - t0)} ms; measuring`);
  const rows: Row[] = [];
  const scratch = path.join(root, 'scratch');
  fs.mkdirSync(scratch, { recursive: true });
  const tmpIndex = path.join(scratch, 'floor-index');

  // (a) the refresh on its own vs: git diff --cached + git apply --cached --check on a temp index holding the base.
  const a = await compare(
    restore,
    () => refresh({ cwd: dir, env }),
    () => {
      const diff = execFileSync('git', ['diff', '--cached', '--binary', '--full-index', b.base], { cwd: dir, env, maxBuffer: 1 << 30 });
      fs.rmSync(tmpIndex, { force: true });
      sh(dir, 'git', ['read-tree', b.base], { GIT_INDEX_FILE: tmpIndex });
      sh(dir, 'git', ['apply', '--cached', '--check'], { GIT_INDEX_FILE: tmpIndex }, diff);
    },
  );
  rows.push({ size: n, metric: 'a. pre-commit refresh', ...a, target: '≤ 1.5× floor', ok: a.ours <= 1.5 * a.floor });
  process.stdout.write('.');

  // (b) git commit of a one-line edit, hooks on vs hooks off.
  installHooks(dir);
  const commit = await compare(
    restore,
    () => sh(dir, 'git', ['commit', '-q', '-m', 'one line']),
    () => sh(dir, 'git', ['-c', 'core.hooksPath=/dev/null', 'commit', '-q', '-m', 'one line']),
  );
  rows.push({ size: n, metric: 'b. git commit, hooks on vs off', ...commit, target: n === 10000 ? '≤ +150 ms' : 'report', ok: commit.ours - commit.floor <= 150 });
  process.stdout.write('.');
  restore();

  // (c) patch vs: diff + verify on a temp index + the commit written with plumbing.
  const c = await compare(
    () => {},
    () => patch({ cwd: dir, env, deviceTypes: ['A_X100'], baseCommitId: b.base, currentCommitId: b.vendor }),
    () => {
      const diff = execFileSync('git', ['diff', '--binary', '--full-index', b.base, b.vendor], { cwd: dir, env, maxBuffer: 1 << 30 });
      fs.rmSync(tmpIndex, { force: true });
      sh(dir, 'git', ['read-tree', b.base], { GIT_INDEX_FILE: tmpIndex });
      sh(dir, 'git', ['apply', '--cached'], { GIT_INDEX_FILE: tmpIndex }, diff);
      sh(dir, 'git', ['write-tree'], { GIT_INDEX_FILE: tmpIndex });
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, env, input: diff }).toString().trim();
      fs.rmSync(tmpIndex, { force: true });
      sh(dir, 'git', ['read-tree', b.base], { GIT_INDEX_FILE: tmpIndex });
      sh(dir, 'git', ['update-index', '--add', '--cacheinfo', `100644,${blob},hardwares/A_X100/${id}/${id}.patch`], { GIT_INDEX_FILE: tmpIndex });
      const tree = execFileSync('git', ['write-tree'], { cwd: dir, env: { ...env, GIT_INDEX_FILE: tmpIndex } }).toString().trim();
      sh(dir, 'git', ['commit-tree', tree, '-p', b.base, '-m', 'floor']);
    },
  );
  rows.push({ size: n, metric: 'c. patch', ...c, target: '≤ 1.3× floor', ok: c.ours <= 1.3 * c.floor });
  process.stdout.write('.');

  // (d) unpatch --dir vs: clone --local --no-checkout, checkout of the base, git apply --index.
  const outOurs = path.join(scratch, 'ours');
  const outFloor = path.join(scratch, 'floor');
  const d = await compare(
    () => {
      fs.rmSync(outOurs, { recursive: true, force: true });
      fs.rmSync(outFloor, { recursive: true, force: true });
    },
    () => unpatch({ cwd: dir, env, dir: outOurs }),
    () => {
      sh(scratch, 'git', ['clone', '-q', '--local', '--no-checkout', dir, outFloor]);
      sh(outFloor, 'git', ['checkout', '-q', b.base]);
      sh(outFloor, 'git', ['apply', '--index', patchFile]);
    },
  );
  rows.push({ size: n, metric: 'd. unpatch --dir', ...d, target: '≤ 1.2× floor', ok: d.ours <= 1.2 * d.floor });
  process.stdout.write('.');

  // (e) check on a commit holding 10 devices' patches vs applying each with git on a temp index.
  const devices = Array.from({ length: 10 }, (_, i) => `D${i}_X`);
  const files = devices.map((dev) => path.join(scratch, `${dev}.patch`));
  const edits = devices
    .map((dev, i) => {
      const text = patchBytes.toString('latin1').replace(/A_X100/g, dev);
      fs.writeFileSync(files[i], Buffer.from(text, 'latin1'));
      const blob = git(dir, ['hash-object', '-w', files[i]]);
      return `100644 ${blob}\thardwares/${dev}/${id}/${id}.patch`;
    })
    .join('\n');
  fs.rmSync(tmpIndex, { force: true });
  git(dir, ['read-tree', b.base], { env: { GIT_INDEX_FILE: tmpIndex } });
  git(dir, ['update-index', '--index-info'], { env: { GIT_INDEX_FILE: tmpIndex }, input: `${edits}\n` });
  const tenTree = git(dir, ['write-tree'], { env: { GIT_INDEX_FILE: tmpIndex } });
  const ten = git(dir, ['commit-tree', tenTree, '-p', b.base, '-m', 'ten devices']);
  const e = await compare(
    () => {},
    async () => {
      const r = await check({ cwd: dir, env, rev: ten });
      if (!r.ok) throw new Error(`check failed: ${JSON.stringify(r.violations[0])}`);
    },
    () => {
      for (const f of files) {
        fs.rmSync(tmpIndex, { force: true });
        sh(dir, 'git', ['read-tree', b.base], { GIT_INDEX_FILE: tmpIndex });
        sh(dir, 'git', ['apply', '--cached', '--check', f], { GIT_INDEX_FILE: tmpIndex });
      }
    },
  );
  rows.push({ size: n, metric: 'e. check, 10 patches', ...e, target: '≤ 1.5× floor', ok: e.ours <= 1.5 * e.floor });

  // Peak memory of the refresh as the hook runs it (node and its git children).
  restore();
  const peakMb = peakMemory(dir);
  process.stdout.write(' done\n');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
  return { rows, peakMb };
}

/** hooks/pre-commit wired through husky, flagpatch on node_modules/.bin: what npm install makes. */
function installHooks(dir: string): void {
  fs.mkdirSync(path.join(dir, 'hooks'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'templates', 'hooks', 'pre-commit'), path.join(dir, 'hooks', 'pre-commit'));
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.rmSync(path.join(dir, 'node_modules', '.bin', 'flagpatch'), { force: true });
  fs.symlinkSync(CLI, path.join(dir, 'node_modules', '.bin', 'flagpatch'));
  fs.chmodSync(CLI, 0o755);
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\nhooks/_\n');
  sh(dir, process.execPath, [path.join(ROOT, 'node_modules', 'husky', 'bin.js'), 'hooks']);
}

/** Max RSS in MB of `flagpatch refresh` and its git children, via GNU time; null without it. */
function peakMemory(dir: string): number | null {
  if (!fs.existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'refresh'], { cwd: dir, env: ENV, encoding: 'utf8' });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
}

function startup(): number {
  const xs: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t = now();
    sh(ROOT, process.execPath, [CLI, '--version']);
    xs.push(now() - t);
  }
  return median(xs.slice(1));
}

// ---------------------------------------------------------------- report

function svg(rows: Row[]): string {
  const pts = rows.filter((r) => r.metric.startsWith('a.'));
  const W = 560;
  const H = 320;
  const pad = 50;
  const max = Math.max(...pts.flatMap((p) => [p.ours, p.floor])) * 1.15;
  const xs = pts.map((p) => Math.log10(p.size));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) === Math.min(...xs) ? Math.min(...xs) + 1 : Math.max(...xs)];
  const X = (s: number) => pad + ((Math.log10(s) - x0) / (x1 - x0)) * (W - 2 * pad);
  const Y = (v: number) => H - pad - (v / max) * (H - 2 * pad);
  const line = (key: 'ours' | 'floor', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${X(p.size).toFixed(1)},${Y(p[key]).toFixed(1)}`).join(' ')}"/>` +
    pts.map((p) => `<circle cx="${X(p.size).toFixed(1)}" cy="${Y(p[key]).toFixed(1)}" r="3" fill="${color}"/><text x="${(X(p.size) + 5).toFixed(1)}" y="${(Y(p[key]) - 6).toFixed(1)}" font-size="11" fill="${color}">${p[key].toFixed(0)} ms</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">pre-commit refresh vs its git floor (median ms)</text>
<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#333"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="#333"/>
${pts.map((p) => `<text x="${X(p.size).toFixed(1)}" y="${H - pad + 16}" text-anchor="middle" font-size="11">${p.size.toLocaleString('en')} files</text>`).join('\n')}
${line('floor', '#888')}
${line('ours', '#c0392b')}
<text x="${W - pad}" y="${pad}" text-anchor="end" font-size="12" fill="#c0392b">flagpatch refresh</text>
<text x="${W - pad}" y="${pad + 16}" text-anchor="end" font-size="12" fill="#888">git diff --cached + apply --check (floor)</text>
</svg>
`;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flagpatch-bench-'));
  try {
    const rows: Row[] = [];
    const peaks: Record<number, number | null> = {};
    for (const n of SIZES) {
      const r = await benchSize(root, n);
      rows.push(...r.rows);
      peaks[n] = r.peakMb;
    }
    const boot = startup();
    const aAt = (n: number) => rows.find((r) => r.size === n && r.metric.startsWith('a.'))?.ours;
    const scaling = aAt(100000) !== undefined && aAt(10000) !== undefined ? aAt(100000)! / aAt(10000)! : null;
    const table = [
      '| files | measurement | flagpatch (ms) | floor (ms) | ratio | target | met |',
      '|---:|---|---:|---:|---:|---|---|',
      ...rows.map((r) => {
        const ratio = r.metric.startsWith('b.') ? `+${(r.ours - r.floor).toFixed(0)} ms` : `${(r.ours / r.floor).toFixed(2)}×`;
        return `| ${r.size.toLocaleString('en')} | ${r.metric} | ${r.ours.toFixed(1)} | ${r.floor.toFixed(1)} | ${ratio} | ${r.target} | ${r.target === 'report' ? '–' : r.ok ? 'yes' : '**no**'} |`;
      }),
    ].join('\n');
    const git_version = git(ROOT, ['--version']);
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}, ${git_version}`;
    const md = `# Benchmarks

flagpatch measured side by side with git doing the bare minimum for the same job, in one run,
interleaved (flagpatch, floor, flagpatch, floor…), medians of ${RUNS} runs after a warm-up.
Run ${new Date().toISOString().slice(0, 10)} on ${machine}.

Rerun: \`npm run bench\` (or \`node dist/scripts/bench.js --sizes 2000,10000,100000 --runs 7\`
after \`npm run build\`). It builds its repositories with \`git fast-import\` in a temporary
folder: N files plus a vendor adaptation of ~200 files (edits adding and changing ~3,000
lines, 25 new files, deletions, a rename, a rename with edits, a mode change, binary files).

${table}

- (a), (c), (d), (e) call the library in-process (no node start-up); (b) is the whole
  \`git commit\` with husky, node and flagpatch on the hook path. node start-up of the CLI
  (\`flagpatch --version\`): ${boot.toFixed(0)} ms.
- Floors: (a) \`git diff --cached --binary --full-index <base>\` + \`git apply --cached --check\`
  on a temporary index holding the base; (b) the same commit with \`core.hooksPath=/dev/null\`;
  (c) \`git diff\` + apply on a temporary index + \`write-tree\` + \`hash-object\` + an index
  holding the base plus the patch + \`commit-tree\`; (d) \`git clone --local --no-checkout\` +
  \`git checkout <base>\` + \`git apply --index\`; (e) per patch, \`read-tree <base>\` on a
  temporary index + \`git apply --cached --check\`.
- Refresh at 100k files / at 10k files: ${scaling === null ? 'not measured in this run' : `${scaling.toFixed(2)}× (target ≤ 2×)`}.
- Peak memory of \`flagpatch refresh\` (max RSS of node and its git children, GNU time):
  ${Object.entries(peaks).map(([n, mb]) => `${Number(n).toLocaleString('en')} files: ${mb === null ? 'n/a' : `${mb} MB`}`).join('; ')} (target < 150 MB at 100k).

![refresh vs floor](benchmarks.svg)
`;
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, md);
    fs.writeFileSync(path.join(path.dirname(OUT), 'benchmarks.svg'), svg(rows));
    console.log(`\n${table}\n\nstart-up ${boot.toFixed(0)} ms; refresh 100k/10k: ${scaling?.toFixed(2) ?? 'n/a'}; peak MB: ${JSON.stringify(peaks)}\nwrote ${OUT}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
