// `flagpatch init`: makes an existing fork ready in one command, and changes nothing when run
// again. Writes the config, hetero.txt (if absent), the hook scripts and package.json
// (created or merged), then wires this clone (`flagpatch hook install`). It edits no base
// file such as .gitignore: whatever it adds to one would be vendor code in the patch.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { revisionOf, type CommonOptions } from '../context.js';
import { RefusedError, UsageError } from '../errors.js';
import { Git } from '../git.js';
import { requireAncestor } from '../history/ancestry.js';
import { HOOK_FILES, installHooks } from '../hooks/install.js';
import { checkDevice, HOOKS_DIR, HUSKY_DIR, patchId, patchPath } from '../layout.js';
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
  /** Settings a second run changed (another device or base). */
  changed: { key: 'deviceType' | 'baseCommit'; from: string; to: string }[];
  /** When the base changed: the patch the next commit writes, and the one that stays. */
  patchPaths?: { next: string; kept: string };
  /** Folders of the base that flagpatch owns: vendor edits there never reach the patch. */
  ownedInBase: string[];
}

const INSTALL = 'flagpatch hook install';
const CONFIG_FILE = '.flagpatchrc.json';
// Files the integration adds to a fork, and folders npm and unpatch make in it: when the base
// lacks them they are never vendor code, even in a clone where `npm install` did not run (so
// .git/info/exclude does not ignore node_modules yet) and someone runs `git add -A`.
const INTEGRATION_FILES = ['package.json', 'package-lock.json', 'node_modules', 'build'];

export async function init(opts: InitOptions): Promise<InitResult> {
  if (opts.deviceType === undefined) throw new UsageError('init needs --device-type', 'pass --device-type A_X100 (your vendor and chip)');
  const device = checkDevice(opts.deviceType);
  if (!opts.baseCommitId) throw new UsageError('init needs --base-commit-id', 'pass --base-commit-id <the upstream commit your fork adapts>');
  const git = await Git.open(opts.cwd ?? process.cwd(), opts.env ?? process.env, opts.signal);
  const top = git.top;
  const existing = await loadConfig(diskSource(top));
  if (existing.file && existing.file !== CONFIG_FILE) {
    throw new RefusedError(
      `the flagpatch config is already in ${existing.file}; init writes ${CONFIG_FILE}`,
      `move the settings from ${existing.file} to ${CONFIG_FILE}, or set deviceType and baseCommit there yourself`,
    );
  }
  const { commit: base, tree: baseTree } = await revisionOf(git, opts.baseCommitId, '--base-commit-id');
  const head = await git.resolve('HEAD');
  if (head) await requireAncestor(git, { commit: base, given: opts.baseCommitId, flag: '--base-commit-id' }, { commit: head.commit, given: 'HEAD' });
  const excluded: string[] = [];
  for (const f of INTEGRATION_FILES) if (!(await git.objectAt(baseTree, f))) excluded.push(f);
  const ownedInBase: string[] = [];
  for (const f of [HOOKS_DIR, HUSKY_DIR]) if (await git.objectAt(baseTree, f)) ownedInBase.push(`${f}/`);

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
  const changed: InitResult['changed'] = [];
  for (const [key, to] of [
    ['deviceType', device],
    ['baseCommit', base],
  ] as const) {
    const from = raw[key];
    if (typeof from === 'string' && from !== to) changed.push({ key, from, to });
  }
  const oldBase = changed.find((c) => c.key === 'baseCommit')?.from;
  const patchPaths = oldBase
    ? { next: patchPath(existing, device, patchId(base, existing)), kept: patchPath(existing, (raw.deviceType as string | undefined) ?? device, patchId(oldBase, existing)) }
    : undefined;
  put(CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`);
  if (!fs.existsSync(path.join(top, existing.heteroFile))) put(existing.heteroFile, readTemplate('hetero.txt'));
  for (const hook of HOOK_FILES) put(`${HOOKS_DIR}/${hook}`, readTemplate(`hooks/${hook}`), 0o755);
  const pkg = mergePackageJson(path.join(top, 'package.json'), path.basename(top));
  if (pkg) put('package.json', pkg);

  const wiring = await installHooks({ cwd: top, env: opts.env ?? process.env });
  return { top, written, excluded, wired: wiring.changed.length > 0, changed, ...(patchPaths ? { patchPaths } : {}), ownedInBase };
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
  const dev = (pkg.devDependencies as Record<string, string> | undefined) ?? {};
  const deps = (pkg.dependencies as Record<string, string> | undefined) ?? {};
  const want: Record<string, string> = { flagpatch: `^${own.version}`, 'lint-staged': '^16.3.4' };
  for (const [k, v] of Object.entries(want)) if (!dev[k] && !deps[k]) dev[k] = v;
  pkg.devDependencies = dev;
  const scripts = (pkg.scripts as Record<string, string> | undefined) ?? {};
  // An earlier init wired the hooks through husky (core.hooksPath = hooks/_, an ignored folder
  // missing from other work trees): that step is replaced, the fork's own steps are kept.
  const prepare = scripts.prepare?.replace(/\bhusky hooks\b/, INSTALL);
  if (!prepare) scripts.prepare = INSTALL;
  else if (!prepare.includes(INSTALL)) scripts.prepare = `${prepare} && ${INSTALL}`;
  else scripts.prepare = prepare;
  for (const cmd of ['patch', 'unpatch', 'check']) scripts[cmd] ??= `flagpatch ${cmd}`;
  pkg.scripts = scripts;
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? 2;
  const out = `${JSON.stringify(pkg, null, indent)}\n`;
  return out === text ? null : out;
}
