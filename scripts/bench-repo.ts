// The benchmark's repositories: built with git fast-import so 100k files take seconds.
//   node dist/scripts/bench-repo.js DIR N   builds one to look at or profile
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  TMPDIR: os.tmpdir(),
};

export function git(cwd: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync('git', args, { cwd, env: { ...ENV, ...opts.env }, input: opts.input, maxBuffer: 1 << 30 })
    .toString('utf8')
    .trim();
}

const lines = (seed: string, n: number) => Array.from({ length: n }, (_, k) => `${seed}_${k} = ${k} * 7  # some code\n`).join('');
export const fileName = (i: number) => `flagscale/pkg${Math.floor(i / 100)}/mod${i % 100}.py`;
const binary = (seed: number, size: number) => Buffer.from(Array.from({ length: size }, (_, k) => (k * 31 + seed * 17) % 256));

export interface Bench {
  dir: string;
  base: string;
  vendor: string;
  changed: number;
}

/** A `git fast-import` stream being written: `out` appends commands, `data` a data block. */
function fastImportStream(): { chunks: Buffer[]; out: (s: string | Buffer) => void; data: (b: Buffer | string) => void } {
  const chunks: Buffer[] = [];
  const out = (s: string | Buffer) => void chunks.push(Buffer.isBuffer(s) ? s : Buffer.from(s));
  const data = (b: Buffer | string) => {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
    out(`data ${buf.length}\n`);
    out(buf);
    out('\n');
  };
  return { chunks, out, data };
}

/** The upstream files of a base: `n` small text files and two binaries. */
function baseFiles(out: (s: string) => void, data: (b: Buffer | string) => void, n: number): void {
  for (let i = 0; i < n; i++) {
    out(`M 100644 inline ${fileName(i)}\n`);
    data(lines(`v${i}`, 10));
  }
  for (let b = 0; b < 2; b++) {
    out(`M 100644 inline assets/blob${b}.bin\n`);
    data(binary(b, 4096));
  }
}

/** Base commit with `n` files, vendor commit with ~200 changed files (fewer for tiny repos). */
export function buildRepo(dir: string, n: number): Bench {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'gc.auto', '0']);
  const { chunks, out, data } = fastImportStream();
  out('commit refs/heads/base\ncommitter Bench <bench@example.com> 1700000000 +0000\n');
  data('upstream base');
  baseFiles(out, data, n);
  out('commit refs/heads/vendor\ncommitter Bench <bench@example.com> 1700000100 +0000\n');
  data('vendor adaptation');
  out('from refs/heads/base\n');
  vendorEdits(out, data, n);
  out('done\n');
  execFileSync('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env: ENV, input: Buffer.concat(chunks), maxBuffer: 1 << 30 });
  const base = git(dir, ['rev-parse', 'base']);
  git(dir, ['checkout', '-q', '-f', '-B', 'main', 'vendor']);
  fs.writeFileSync(path.join(dir, '.flagpatchrc.json'), JSON.stringify({ deviceType: 'A_X100', baseCommit: base }));
  git(dir, ['add', '.flagpatchrc.json']);
  return { dir, base, vendor: '', changed: vendorSize(n) };
}

function vendorSize(n: number): number {
  const scale = Math.min(1, n / 2000);
  return Math.max(4, Math.round(160 * scale)) + Math.max(2, Math.round(25 * scale)) + Math.max(1, Math.round(8 * scale)) + 5;
}

/**
 * The vendor adaptation as fast-import commands on top of a base of `n` files: ~200 files
 * (fewer for tiny repos) edited, added, deleted, renamed (with and without edits), a mode
 * change, binary files.
 */
function vendorEdits(out: (s: string | Buffer) => void, data: (b: Buffer | string) => void, n: number): void {
  const scale = Math.min(1, n / 2000);
  const edits = Math.max(4, Math.round(160 * scale));
  const adds = Math.max(2, Math.round(25 * scale));
  const dels = Math.max(1, Math.round(8 * scale));
  for (let e = 0; e < edits; e++) {
    const i = Math.floor((e * n) / edits);
    const body = lines(`v${i}`, 10).replace(/= (\d) \*/g, '= $1 + 1 *') + lines(`a_x100_${i}`, 10);
    out(`M 100644 inline ${fileName(i)}\n`);
    data(body);
  }
  for (let a = 0; a < adds; a++) {
    out(`M 100644 inline flagscale/a_x100/kernel${a}.py\n`);
    data(lines(`kernel${a}`, 60));
  }
  for (let d = 0; d < dels; d++) out(`D ${fileName(n - 1 - d * 3)}\n`);
  out(`R ${fileName(n - 2)} flagscale/renamed.py\n`);
  out(`D ${fileName(n - 5)}\n`);
  out('M 100644 inline flagscale/renamed_edited.py\n');
  data(lines(`v${n - 5}`, 10).replace('= 0 *', '= 100 *'));
  out(`M 100755 inline ${fileName(1)}\n`);
  data(lines('v1', 10));
  out('M 100644 inline assets/blob0.bin\n');
  data(binary(7, 4096));
  out('M 100644 inline assets/a_x100.bin\n');
  data(binary(9, 8192));
}

/**
 * The upstream `check` fixture: `bases` upstream commits of `n` files in a row (each changes
 * 40 files of the one before), and a vendor adaptation on each (branches base<k>, vendor<k>).
 * The caller makes the patches (with flagpatch itself) and the commit holding them all.
 */
export function buildCheckRepo(dir: string, n: number, bases: number): { dir: string; bases: string[]; vendors: string[] } {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'gc.auto', '0']);
  const { chunks, out, data } = fastImportStream();
  for (let k = 0; k < bases; k++) {
    out(`commit refs/heads/base${k}\ncommitter Bench <bench@example.com> ${1700000000 + k * 1000} +0000\n`);
    data(`upstream release ${k}`);
    if (k === 0) {
      baseFiles(out, data, n);
    } else {
      out(`from refs/heads/base${k - 1}\n`);
      for (let j = 0; j < 40; j++) {
        const i = 3 + Math.floor((j * n) / 41);
        out(`M 100644 inline ${fileName(i)}\n`);
        data(lines(`v${i}`, 10) + lines(`upstream${k}_${i}`, 3));
      }
    }
  }
  for (let k = 0; k < bases; k++) {
    out(`commit refs/heads/vendor${k}\ncommitter Bench <bench@example.com> ${1700000500 + k * 1000} +0000\n`);
    data('vendor adaptation');
    out(`from refs/heads/base${k}\n`);
    vendorEdits(out, data, n);
  }
  out('done\n');
  execFileSync('git', ['fast-import', '--quiet', '--done'], { cwd: dir, env: ENV, input: Buffer.concat(chunks), maxBuffer: 1 << 30 });
  git(dir, ['checkout', '-q', '-f', '-B', 'main', 'base0']);
  const ids = (prefix: string) => Array.from({ length: bases }, (_, k) => git(dir, ['rev-parse', `${prefix}${k}`]));
  return { dir, bases: ids('base'), vendors: ids('vendor') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const b = buildRepo(path.resolve(process.argv[2]), Number(process.argv[3] ?? 2000));
  console.log(`built ${process.argv[2]}: base ${b.base}, ${b.changed} files changed (config staged)`);
}
