// Fixtures on real git repositories in temporary folders (git is never mocked), shared by the
// tests (through test/helpers.ts) and the scripts (npm run reliability). Here rather than in
// test/ so scripts never import tests; here rather than in src/ so the package does not ship it.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's top (this file runs from dist/scripts/lib/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

// A clean environment: no user or system git config, a fixed identity and clock.
export const ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: '/nonexistent-flagpatch-home',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Vendor Engineer',
  GIT_AUTHOR_EMAIL: 'eng@vendor.example',
  GIT_COMMITTER_NAME: 'Vendor Engineer',
  GIT_COMMITTER_EMAIL: 'eng@vendor.example',
  GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z',
  GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z',
  TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
  NO_COLOR: '1',
};

export function git(cwd: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync('git', args, { cwd, input: opts.input, env: { ...ENV, ...opts.env }, encoding: 'buffer', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr.toString()}`);
  return r.stdout.toString('utf8').replace(/\n$/, '');
}

export function gitBuf(cwd: string, args: string[]): Buffer {
  const r = spawnSync('git', args, { cwd, env: ENV, encoding: 'buffer', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI. */
export function flagpatch(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...ENV, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const made: string[] = [];

/** A fresh temporary folder, removed by cleanup(). */
export function tmpdir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flagpatch-test-')));
  made.push(dir);
  return dir;
}

export function cleanup(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function initRepo(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'commit.gpgSign', 'false']);
  git(dir, ['config', 'gc.auto', '0']);
  git(dir, ['config', 'core.autocrlf', 'false']);
  return dir;
}

/** Writes files (null deletes); content strings are UTF-8. */
export function write(dir: string, files: Record<string, string | Buffer | null>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (content === null) fs.rmSync(file, { force: true });
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
}

export function commitAll(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--no-verify', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** An upstream repository with a few files; returns its folder and base commit. */
export function upstream(root: string, name = 'FlagScale'): { dir: string; base: string } {
  const dir = initRepo(path.join(root, name));
  write(dir, {
    'README.md': '# FlagScale\n',
    'flagscale/train.py': 'def train():\n    return 1\n',
    'flagscale/model.py': ''
      .padEnd(40, '.')
      .split('')
      .map((_, i) => `line ${i}\n`)
      .join(''),
    'flagscale/old.py': 'old = True\n',
    'flagscale/moved.py': 'moved = 1\n' + 'x = 2\n'.repeat(10),
    'tools/run.sh': '#!/bin/sh\necho run\n',
  });
  return { dir, base: commitAll(dir, 'upstream base') };
}

/** A fork of `up` at its HEAD, as a separate clone. */
export function fork(up: string, dir: string): string {
  git(path.dirname(dir), ['clone', '-q', up, dir]);
  git(dir, ['config', 'commit.gpgSign', 'false']);
  git(dir, ['config', 'gc.auto', '0']);
  git(dir, ['config', 'core.autocrlf', 'false']);
  return dir;
}

export interface Snapshot {
  files: Record<string, string>;
  index: string;
  head: string;
  refs: string;
  stash: string;
}

/** Everything of the user's we promise not to touch: files (with modes), index, HEAD, refs, stash. */
export function snapshot(dir: string): Snapshot {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const full = path.join(d, name);
      const rel = path.relative(dir, full);
      if (rel === '.git') continue;
      const st = fs.lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isSymbolicLink()) files[rel] = `link:${fs.readlinkSync(full)}`;
      else files[rel] = `${(st.mode & 0o777).toString(8)}:${hash(fs.readFileSync(full))}`;
    }
  };
  walk(dir);
  const indexFile = path.join(dir, '.git', 'index');
  return {
    files,
    index: fs.existsSync(indexFile) ? hash(fs.readFileSync(indexFile)) : 'none',
    head: `${fs.readFileSync(path.join(dir, '.git', 'HEAD'), 'utf8').trim()} ${git(dir, ['rev-parse', 'HEAD'])}`,
    refs: git(dir, ['for-each-ref', '--format=%(refname) %(objectname)']),
    stash: git(dir, ['stash', 'list']),
  };
}

/** Every file under .git with its size and content hash (to prove nothing was added). */
export function gitDirListing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = fs.lstatSync(full);
      if (st.isDirectory()) walk(full);
      else out.push(`${path.relative(dir, full)} ${hash(fs.readFileSync(full))}`);
    }
  };
  walk(path.join(dir, '.git'));
  return out;
}

export function hash(b: Buffer | string): string {
  return crypto.createHash('sha1').update(b).digest('hex');
}

/** An uncommitted edit and an untracked file, so tests see that both survive. */
export function dirty(dir: string): void {
  fs.appendFileSync(path.join(dir, 'README.md'), 'uncommitted edit\n');
  write(dir, { 'scratch/untracked.txt': 'mine\n' });
}

export function treeOf(dir: string, rev: string): string {
  return git(dir, ['rev-parse', `${rev}^{tree}`]);
}

/** The tree of `rev` with the named top-level paths left out, for comparing vendor code. */
export function treeWithout(dir: string, rev: string, omit: string[]): string {
  const entries = gitBuf(dir, ['ls-tree', '-z', rev]).toString('utf8').split('\0').filter(Boolean);
  const kept = entries.filter((e) => !omit.includes(e.slice(e.indexOf('\t') + 1)));
  return git(dir, ['mktree', '-z'], { input: kept.map((e) => `${e}\0`).join('') });
}

/** Upstream takes a vendor's submission branch (fast-forward). */
export function accept(up: string, vendor: string, branch: string): void {
  git(up, ['fetch', '-q', vendor, branch]);
  git(up, ['merge', '-q', '--ff-only', 'FETCH_HEAD']);
}

/** Upstream (at root/<name>) whose main holds A_X100's patch of a one-file vendor change. */
export function upstreamWithPatch(root: string, name = 'FlagScale'): { dir: string; base: string; vendor: string } {
  const up = upstream(root, name);
  const vendor = fork(up.dir, path.join(root, 'vendor'));
  write(vendor, { 'flagscale/train.py': 'vendor\n' });
  commitAll(vendor, 'vendor');
  const r = flagpatch(vendor, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base]);
  if (r.code !== 0) throw new Error(`fixture: patch failed: ${r.stderr}`);
  accept(up.dir, vendor, 'flagpatch/A_X100');
  return { ...up, vendor };
}
