// `flagpatch init`: makes an existing fork ready in one command, and changes nothing when run
// again. Writes the config, hetero.txt (if absent), the two hook scripts, package.json
// (created or merged) and .gitignore lines, then wires the hooks through husky.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { revisionOf, type CommonOptions } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import { Git } from '../git.js';
import { checkDevice, HOOKS_DIR } from '../layout.js';
import { ownPackage, readTemplate } from '../templates.js';
import { diskSource } from '../source.js';
import { writeFileAtomic } from '../tmp.js';

export interface InitOptions extends CommonOptions {
  deviceType?: string;
  baseCommitId?: string;
}

export interface InitResult {
  top: string;
  /** Files written (relative to the top); empty on a second run. */
  written: string[];
  /** Integration files the base lacks, added to "exclude". */
  excluded: string[];
  /** Whether the hooks were wired now (false when they already were). */
  wired: boolean;
}

const CONFIG_FILE = '.flagpatchrc.json';
// Files the integration adds to a fork; when the base lacks them they are not vendor code.
const INTEGRATION_FILES = ['package.json', 'package-lock.json', '.gitignore'];
const IGNORED = ['node_modules/', 'build/'];

export async function init(opts: InitOptions): Promise<InitResult> {
  if (opts.deviceType === undefined) throw new UsageError('init needs --device-type', 'pass --device-type A_X100 (your vendor and chip)');
  const device = checkDevice(opts.deviceType);
  if (!opts.baseCommitId) throw new UsageError('init needs --base-commit-id', 'pass --base-commit-id <the upstream commit your fork adapts>');
  const git = await Git.open(opts.cwd ?? process.cwd(), opts.env ?? process.env, opts.signal);
  const top = git.top;
  const existing = await loadConfig(diskSource(top));
  if (existing.file && existing.file !== CONFIG_FILE) {
    throw new RefusedError(`the flagpatch config is already in ${existing.file}; init writes ${CONFIG_FILE}`, `move the settings from ${existing.file} to ${CONFIG_FILE}, or set deviceType and baseCommit there yourself`);
  }
  const { commit: base, tree: baseTree } = await revisionOf(git, opts.baseCommitId, '--base-commit-id');
  const excluded: string[] = [];
  for (const f of INTEGRATION_FILES) if (!(await git.objectAt(baseTree, f))) excluded.push(f);

  const written: string[] = [];
  const put = (rel: string, content: string, mode?: number) => {
    const file = path.join(top, rel);
    const same = fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content;
    if (!same) {
      writeFileAtomic(file, content);
      written.push(rel);
    }
    if (mode !== undefined && (fs.statSync(file).mode & 0o777) !== mode) {
      fs.chmodSync(file, mode);
      if (same) written.push(rel);
    }
  };

  const raw = existing.file ? readJson(path.join(top, CONFIG_FILE)) : {};
  const exclude = [...new Set([...((raw.exclude as string[] | undefined) ?? []), ...excluded])];
  const config = {
    $schema: './node_modules/flagpatch/schema/flagpatchrc.schema.json',
    ...raw,
    deviceType: device,
    baseCommit: base,
    ...(exclude.length ? { exclude } : {}),
  };
  put(CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`);
  if (!fs.existsSync(path.join(top, existing.heteroFile))) put(existing.heteroFile, readTemplate('hetero.txt'));
  for (const hook of ['pre-commit', 'pre-push']) put(`${HOOKS_DIR}/${hook}`, readTemplate(`hooks/${hook}`), 0o755);
  const pkg = mergePackageJson(path.join(top, 'package.json'), path.basename(top));
  if (pkg) put('package.json', pkg);
  const ignore = mergeGitignore(path.join(top, '.gitignore'));
  if (ignore) put('.gitignore', ignore);

  return { top, written, excluded, wired: await wireHooks(git, top, opts.env ?? process.env) };
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RefusedError(`${path.basename(file)} is not valid JSON: ${(e as Error).message}`, `fix ${path.basename(file)} first`);
  }
}

/** package.json with the dev dependencies and scripts a fork needs; null when nothing changes. */
function mergePackageJson(file: string, name: string): string | null {
  const exists = fs.existsSync(file);
  const text = exists ? fs.readFileSync(file, 'utf8') : '';
  // A name of its own: without one, npm names the lock file after the folder, so every clone
  // in a folder of another name would change package-lock.json.
  const ownName = name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  const read = exists ? readJson(file) : { private: true };
  const pkg = typeof read.name === 'string' && read.name ? read : { name: ownName, ...read };
  const own = ownPackage();
  const dev = ((pkg.devDependencies as Record<string, string> | undefined) ?? {});
  const deps = (pkg.dependencies as Record<string, string> | undefined) ?? {};
  const want: Record<string, string> = { flagpatch: `^${own.version}`, husky: own.dependencies.husky, 'lint-staged': '^16.3.4' };
  for (const [k, v] of Object.entries(want)) if (!dev[k] && !deps[k]) dev[k] = v;
  pkg.devDependencies = dev;
  const scripts = (pkg.scripts as Record<string, string> | undefined) ?? {};
  const prepare = scripts.prepare;
  if (!prepare) scripts.prepare = 'husky hooks';
  else if (!/\bhusky hooks\b/.test(prepare)) scripts.prepare = `${prepare} && husky hooks`;
  for (const cmd of ['patch', 'unpatch', 'check']) scripts[cmd] ??= `flagpatch ${cmd}`;
  pkg.scripts = scripts;
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? 2;
  const out = `${JSON.stringify(pkg, null, indent)}\n`;
  return out === text ? null : out;
}

function mergeGitignore(file: string): string | null {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = new Set(text.split('\n').map((l) => l.trim()));
  const missing = IGNORED.filter((l) => !lines.has(l) && !lines.has(l.replace(/\/$/, '')) && !lines.has(`/${l}`));
  if (!missing.length) return null;
  return `${text}${text && !text.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`;
}

/** Runs husky's installer for hooks/ (core.hooksPath = hooks/_) unless it is already wired. */
async function wireHooks(git: Git, top: string, env: NodeJS.ProcessEnv | Record<string, string | undefined>): Promise<boolean> {
  const current = (await git.run(['config', '--get', 'core.hooksPath'], { ok: [1] })).stdout.toString('utf8').trim();
  if (current === `${HOOKS_DIR}/_` && fs.existsSync(path.join(top, HOOKS_DIR, '_', 'h')) && fs.existsSync(path.join(top, HOOKS_DIR, '_', 'pre-commit'))) return false;
  const husky = fileURLToPath(import.meta.resolve('husky'));
  // husky works in the current folder; it runs as its own process so flagpatch never chdirs.
  const r = spawnSync(process.execPath, [path.join(path.dirname(husky), 'bin.js'), HOOKS_DIR], { cwd: top, encoding: 'utf8', env: env as NodeJS.ProcessEnv });
  if (r.stdout.includes('HUSKY=0')) return false; // the user turned hooks off for this run
  if (r.status !== 0 || r.stdout.trim()) {
    throw new RefusedError(`husky could not wire the hooks: ${(r.stdout + r.stderr).trim()}`, 'run `npx husky hooks` in the fork, then check `git config core.hooksPath`');
  }
  return true;
}
