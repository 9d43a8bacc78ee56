// The configuration: found by cosmiconfig at the top of the work tree, then validated all at
// once so every bad key is reported together (file, key, expected, found).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { DEVICE_RE } from './layout.js';

export interface Config {
  /** This fork's device, when configured. */
  deviceType?: string;
  /** The upstream commit adapted, as written (a sha or any revision). */
  baseCommit?: string;
  patchDir: string;
  heteroFile: string;
  idLength: number;
  exclude: string[];
  /** Folder name of materialized trees. */
  name: string;
  /** The config file, relative to the top of the work tree; undefined when none was found. */
  file?: string;
}

export const SEARCH_PLACES = [
  'package.json',
  '.flagpatchrc',
  '.flagpatchrc.json',
  '.flagpatchrc.yaml',
  '.flagpatchrc.yml',
  '.flagpatchrc.js',
  '.flagpatchrc.cjs',
  '.flagpatchrc.mjs',
  'flagpatch.config.js',
  'flagpatch.config.cjs',
  'flagpatch.config.mjs',
];

export const DEFAULTS = { patchDir: 'hardwares', heteroFile: 'hetero.txt', idLength: 6, exclude: [] as string[] };

/** Loads and validates the config of the work tree at `top` (defaults when there is none). */
export async function loadConfig(top: string): Promise<Config> {
  const fast = readJsonConfig(top);
  if (fast) return validateConfig(fast.config, top, fast.file);
  // Imported only when needed: it costs ~25 ms, which the hook would pay on every commit.
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig('flagpatch', { searchPlaces: SEARCH_PLACES, searchStrategy: 'none' });
  let found;
  try {
    found = await explorer.search(top);
  } catch (e) {
    const file = (e as { filepath?: string }).filepath ?? 'config file';
    throw new ConfigError(path.basename(file), [`cannot be read: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (!found) return validateConfig({}, top, undefined);
  return validateConfig(found.isEmpty ? {} : found.config, top, path.relative(top, found.filepath));
}

/**
 * The config without cosmiconfig, where that gives the same answer: cosmiconfig's order is
 * package.json (a "flagpatch" key), .flagpatchrc, .flagpatchrc.json, then the other places.
 * A "flagpatch" key in package.json or a parsable .flagpatchrc.json (with no .flagpatchrc
 * before it) is read here; no config file at all gives defaults. Anything else — YAML, JS, a
 * file that does not parse — is left to cosmiconfig (null).
 */
function readJsonConfig(top: string): { config: unknown; file: string | undefined } | null {
  const parse = (file: string) => {
    try {
      return { ok: true, value: JSON.parse(fs.readFileSync(path.join(top, file), 'utf8')) as unknown };
    } catch {
      return { ok: false, value: undefined };
    }
  };
  if (fs.existsSync(path.join(top, 'package.json'))) {
    const pkg = parse('package.json');
    if (!pkg.ok) return null;
    if (pkg.value && typeof pkg.value === 'object' && 'flagpatch' in pkg.value) return { config: (pkg.value as { flagpatch: unknown }).flagpatch, file: 'package.json' };
  }
  if (fs.existsSync(path.join(top, '.flagpatchrc'))) return null;
  if (fs.existsSync(path.join(top, '.flagpatchrc.json'))) {
    const rc = parse('.flagpatchrc.json');
    return rc.ok ? { config: rc.value, file: '.flagpatchrc.json' } : null;
  }
  if (SEARCH_PLACES.some((f) => fs.existsSync(path.join(top, f)) && f !== 'package.json')) return null;
  return { config: {}, file: undefined };
}

/** Checks every key of a raw config object; throws ConfigError listing all problems. */
export function validateConfig(raw: unknown, top: string, file: string | undefined): Config {
  const where = file ?? '.flagpatchrc.json';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(where, [`expected an object of settings, found ${describe(raw)}`]);
  }
  const obj = raw as Record<string, unknown>;
  const problems: string[] = [];
  const bad = (key: string, expected: string) => problems.push(`${key}: expected ${expected}, found ${describe(obj[key])}`);
  const known = new Set(['$schema', 'deviceType', 'baseCommit', 'patchDir', 'heteroFile', 'idLength', 'exclude', 'name']);
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) problems.push(`${/^[\w$]+$/.test(key) ? key : JSON.stringify(key)}: unknown key (known: ${[...known].filter((k) => k !== '$schema').join(', ')})`);
  }
  const cfg: Config = { ...DEFAULTS, exclude: [], name: path.basename(top), file };

  if (obj.deviceType !== undefined) {
    if (typeof obj.deviceType === 'string' && DEVICE_RE.test(obj.deviceType)) cfg.deviceType = obj.deviceType;
    else bad('deviceType', 'a device name of ASCII letters, digits and _ (e.g. "A_X100")');
  }
  if (obj.baseCommit !== undefined) {
    if (typeof obj.baseCommit === 'string' && /^[^\s\0-]\S*$/.test(obj.baseCommit)) cfg.baseCommit = obj.baseCommit;
    else bad('baseCommit', 'a commit id (the full sha written by `flagpatch init`)');
  }
  for (const key of ['patchDir', 'heteroFile'] as const) {
    if (obj[key] === undefined) continue;
    const v = obj[key];
    if (typeof v === 'string' && isInnerPath(v)) cfg[key] = v.replace(/\/+$/, '');
    else bad(key, 'a relative path inside the repository, without ".." (e.g. "' + DEFAULTS[key] + '")');
  }
  if (obj.idLength !== undefined) {
    const v = obj.idLength;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 4 && v <= 40) cfg.idLength = v;
    else bad('idLength', 'a whole number from 4 to 40');
  }
  if (obj.exclude !== undefined) {
    const v = obj.exclude;
    if (Array.isArray(v) && v.every((p) => typeof p === 'string' && p.length > 0 && !p.startsWith(':') && isInnerPath(p))) cfg.exclude = [...v];
    else bad('exclude', 'a list of paths or glob patterns relative to the top of the repository');
  }
  if (obj.name !== undefined) {
    const v = obj.name;
    if (typeof v === 'string' && /^[^/\\\0]+$/.test(v) && v !== '.' && v !== '..') cfg.name = v;
    else bad('name', 'a folder name (no "/", not "." or "..")');
  }
  if (problems.length) throw new ConfigError(where, problems);
  return cfg;
}

/** A non-empty relative path that stays inside the repository and out of `.git`. */
function isInnerPath(p: string): boolean {
  if (p.length === 0 || p.startsWith('/') || p.includes('\0')) return false;
  return p.split('/').every((part) => part !== '..' && part.toLowerCase() !== '.git') && p !== '.';
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list ${JSON.stringify(v).slice(0, 60)}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v).slice(0, 60)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
