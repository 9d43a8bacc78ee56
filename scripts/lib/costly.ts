// Inputs an attacker would use to make flagpatch slow or big (issue: bounded cost), each put
// in a commit of a small upstream repository beside a normal patch. Used by the tests (what
// is refused, and how) and by scripts/reliability.ts (how long and how much memory).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, ENV, git, upstreamWithPatch } from './repos.js';

export interface CostlyInput {
  name: string;
  /** The commit holding it. */
  commit: string;
}

const SEP = 'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n';

/** A commit of `base` with `files` (path → blob id) added, made with plumbing only. */
function commitWith(dir: string, base: string, files: Record<string, string>, message: string): string {
  const env = { GIT_INDEX_FILE: path.join(dir, '.git', 'costly-index') };
  git(dir, ['read-tree', base], { env });
  git(dir, ['update-index', '--add', '--index-info'], {
    env,
    input: Buffer.from(
      Object.entries(files)
        .map(([p, sha]) => `100644 ${sha}\t${p}\n`)
        .join(''),
    ),
  });
  const tree = git(dir, ['write-tree'], { env });
  fs.rmSync(env.GIT_INDEX_FILE, { force: true });
  return git(dir, ['commit-tree', tree, '-p', base, '-m', message]);
}

function blob(dir: string, content: Buffer | string): string {
  const file = path.join(dir, '.git', 'costly-blob');
  fs.writeFileSync(file, content);
  const sha = git(dir, ['hash-object', '-w', file]);
  fs.rmSync(file);
  return sha;
}

/** The upstream with A_X100's normal patch (`normal`), and one commit per costly input. */
export function costlyRepo(root: string): { dir: string; normal: string; inputs: CostlyInput[] } {
  const up = upstreamWithPatch(root);
  const dir = up.dir;
  const normal = git(dir, ['rev-parse', 'HEAD']);
  const id = up.base.slice(0, 6);
  const at = (dev: string) => `hardwares/${dev}/${id}/${id}.patch`;
  const inputs: CostlyInput[] = [];
  const add = (name: string, files: Record<string, string>) => inputs.push({ name, commit: commitWith(dir, normal, files, name) });

  const fromHeader = `${SEP}From: ${'a'.repeat(400 * 1024)} <\n${'Subject: [PATCH] x\n\n---\n'}`;
  add('a 400 KB From: header', { [at('B_FROM')]: blob(dir, fromHeader) });

  const big = blob(dir, Buffer.alloc(20 * 1024 * 1024, 0x0a)); // 20 MB of empty lines
  const many: Record<string, string> = {};
  for (let i = 0; i < 100; i++) many[at(`B_MANY${i}`)] = big;
  add('one 20 MB blob at 100 patch paths', many);

  add('a 99 MB patch of blank lines', { [at('B_HUGE')]: blob(dir, Buffer.alloc(99 * 1024 * 1024, 0x0a)) });

  const deep = Array.from({ length: 20_000 }, () => 'd').join('/');
  add('a path 20,000 folders deep', {
    [at('B_DEEP')]: blob(dir, `${SEP}From: M <m@x>\nSubject: [PATCH] deep\n\n---\ndiff --git a/${deep} b/${deep}\nnew file mode 100644\n--- /dev/null\n+++ b/${deep}\n@@ -0,0 +1 @@\n+x\n`),
  });

  const long = Array.from({ length: 3_000 }, () => 'd').join('/');
  add('a path 3,000 folders deep', {
    [at('B_LONG')]: blob(dir, `${SEP}From: M <m@x>\nSubject: [PATCH] long\n\n---\ndiff --git a/${long} b/${long}\nnew file mode 100644\n--- /dev/null\n+++ b/${long}\n@@ -0,0 +1 @@\n+x\n`),
  });

  const deepish = Array.from({ length: 200 }, () => 'd').join('/');
  add('1,000 files 200 folders deep', {
    [at('B_DEEPISH')]: blob(
      dir,
      `${SEP}From: M <m@x>\nSubject: [PATCH] deep\n\n---\n${Array.from({ length: 1000 }, (_, i) => `diff --git a/${deepish}/${i} b/${deepish}/${i}\nnew file mode 100644\n--- /dev/null\n+++ b/${deepish}/${i}\n@@ -0,0 +1 @@\n+x\n`).join('')}`,
    ),
  });

  const message = (i: number) => `${SEP}From: M <m@x>\nSubject: [PATCH] ${i}\n\n---\ndiff --git a/f${i} b/f${i}\nnew file mode 100644\n--- /dev/null\n+++ b/f${i}\n@@ -0,0 +1 @@\n+x\n`;
  add('a legacy mailbox of 1,001 messages', { [at('B_LEGACY')]: blob(dir, Array.from({ length: 1001 }, (_, i) => message(i)).join('')) });

  const combinations = Array.from({ length: 100_000 }, (_, i) => `${id}: C_${i} D_${i}`).join('\n');
  add('100,000 hetero.txt combinations without patches', { 'hetero.txt': blob(dir, combinations) });

  const broken = Array.from({ length: 300_000 }, (_, i) => (i % 1000 ? 'x' : `::error::forged \x1b[2J\r${i}`)).join('\n');
  add('300,000 broken hetero.txt lines', { 'hetero.txt': blob(dir, broken) });
  return { dir, normal, inputs };
}

export interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak resident memory of the flagpatch process, MB (null where /usr/bin/time is missing). */
  peakMB: number | null;
}

/** Runs `flagpatch check COMMIT` as a user would, timing it and reading its peak memory. */
export function measureCheck(dir: string, commit: string): Measured {
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const started = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', 'flagpatch-peak-kb %M', process.execPath, CLI, 'check', commit], { cwd: dir, env: ENV, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, [CLI, 'check', commit], { cwd: dir, env: ENV, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peak = /flagpatch-peak-kb (\d+)/.exec(r.stderr ?? '');
  return { code: r.status ?? -1, stdout: r.stdout, stderr: (r.stderr ?? '').replace(/flagpatch-peak-kb \d+\n?/, ''), seconds, peakMB: peak ? Number(peak[1]) / 1024 : null };
}
