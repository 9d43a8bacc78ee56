// The configuration: data only, read from the commit (or index) being judged, validated all at
// once. One table of keys (src/config-keys.ts) gives the defaults, the validator and the
// shipped JSON Schema, so they cannot disagree.
//
// A config is input from whoever wrote the commit: it is parsed, never run. JavaScript configs
// are refused (naming the file), YAML `$import` too, and a file over CONFIG_LIMIT bytes.
import { ConfigError } from './errors.js';
import { DEFAULTS, KEYS, validateValue } from './config-keys.js';
import { LIMITS } from './limits.js';
import type { FileSource } from './source.js';

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
  /** The config file, relative to the top of the tree; undefined when none was found. */
  file?: string;
}

/** Data configs, in the order they are looked for (cosmiconfig's order for these names). */
export const DATA_CONFIGS = ['package.json', '.flagpatchrc', '.flagpatchrc.json', '.flagpatchrc.yaml', '.flagpatchrc.yml'] as const;

/** Code configs: never loaded, always refused. */
export const CODE_CONFIGS = [
  '.flagpatchrc.js',
  '.flagpatchrc.cjs',
  '.flagpatchrc.mjs',
  '.flagpatchrc.ts',
  '.flagpatchrc.cts',
  '.flagpatchrc.mts',
  'flagpatch.config.js',
  'flagpatch.config.cjs',
  'flagpatch.config.mjs',
  'flagpatch.config.ts',
  'flagpatch.config.cts',
  'flagpatch.config.mts',
] as const;

/** Every config file name but package.json: owned paths, never part of a vendor patch. */
export const CONFIG_NAMES: readonly string[] = [...DATA_CONFIGS.filter((f) => f !== 'package.json'), ...CODE_CONFIGS];

/** Finds, parses and validates the config of `source`; defaults when there is none. */
export async function loadConfig(source: FileSource): Promise<Config> {
  const names = [...DATA_CONFIGS, ...CODE_CONFIGS];
  const found = await source.read(names, LIMITS.configBytes);
  const code = CODE_CONFIGS.find((_, i) => found[DATA_CONFIGS.length + i] !== null);
  if (code) {
    throw new ConfigError(
      code,
      [`JavaScript configs are not loaded: a config is read from the commit being judged, and code from a commit must never run`],
      'move the settings to .flagpatchrc.json (data only) and delete this file',
    );
  }
  for (const [i, file] of DATA_CONFIGS.entries()) {
    const bytes = found[i];
    if (bytes === null) continue;
    if (bytes === 'too-large') throw new ConfigError(file, [`is larger than ${LIMITS.configBytes} bytes, the limit for a config file`]);
    if (bytes === 'not-a-file') throw new ConfigError(file, ['is a symlink or a folder: a config must be a regular file'], `replace ${file} with a regular file`);
    let raw: unknown;
    try {
      raw = await parseConfigFile(file, bytes);
    } catch (e) {
      // A parser that gives up on hostile input (too deep, too big) is a bad config, not a bug.
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(file, [`cannot be read: ${firstLine(e)}`]);
    }
    if (raw === NOT_HERE) continue;
    return validateConfig(raw, source.folderName, file);
  }
  return validateConfig({}, source.folderName, undefined);
}

const NOT_HERE = Symbol('no flagpatch settings in this file');

async function parseConfigFile(file: string, bytes: Buffer): Promise<unknown> {
  const text = bytes.toString('utf8');
  if (file === 'package.json') {
    const pkg = parseJson(file, text);
    return pkg && typeof pkg === 'object' && !Array.isArray(pkg) && Object.hasOwn(pkg, 'flagpatch') ? (pkg as { flagpatch: unknown }).flagpatch : NOT_HERE;
  }
  if (file === '.flagpatchrc.json') return parseJson(file, text);
  // .flagpatchrc may be JSON or YAML; YAML (a superset of JSON) reads both. The YAML loader is
  // cosmiconfig's (js-yaml's safe default schema: plain data, no code); imported only here.
  if (text.trim() === '') return {};
  const { defaultLoaders } = await import('cosmiconfig');
  let value: unknown;
  try {
    value = await defaultLoaders['.yaml'](file, text);
  } catch (e) {
    throw new ConfigError(file, [`is not valid YAML: ${firstLine(e)}`]);
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, '$import')) {
    throw new ConfigError(file, ['$import: configs are self-contained; importing another file is refused'], `copy the settings into ${file} and remove "$import"`);
  }
  return value ?? {};
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`is not valid JSON: ${firstLine(e)}`]);
  }
}

function firstLine(e: unknown): string {
  return (
    String((e as Error).message ?? e)
      .split('\n')
      .find((l) => l.trim() && !/^(JSON|YAML) Error in/.test(l)) ?? 'unreadable'
  );
}

/** Checks every key of a raw config object; throws ConfigError listing all problems. */
export function validateConfig(raw: unknown, folderName: string, file: string | undefined): Config {
  const where = file ?? '.flagpatchrc.json';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(where, [`expected an object of settings, found ${describe(raw)}`]);
  }
  const obj = raw as Record<string, unknown>;
  const problems: string[] = [];
  const known = Object.keys(KEYS);
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(KEYS, key)) problems.push(`${/^[\w$]{1,40}$/.test(key) ? key : JSON.stringify(key.slice(0, 40))}: unknown key (known: ${known.filter((k) => k !== '$schema').join(', ')})`);
    if (problems.length >= LIMITS.problems) break;
  }
  const cfg: Config = { ...DEFAULTS, exclude: [...DEFAULTS.exclude], name: folderName, file };
  for (const key of known) {
    if (obj[key] === undefined || key === '$schema') continue;
    const expected = validateValue(key, obj[key]);
    if (expected) problems.push(`${key}: expected ${expected}, found ${describe(obj[key])}`);
    else (cfg as unknown as Record<string, unknown>)[key] = normalize(key, obj[key]);
  }
  if (problems.length) throw new ConfigError(where, problems);
  return cfg;
}

function normalize(key: string, v: unknown): unknown {
  if (key === 'patchDir' || key === 'heteroFile') return (v as string).replace(/\/+$/, '');
  if (key === 'exclude') return [...(v as string[])];
  return v;
}

/** The keys whose values differ between two configs (the config file's name counts as `file`). */
export function changedKeys(a: Config, b: Config): string[] {
  const keys = [...Object.keys(KEYS).filter((k) => k !== '$schema'), 'file'] as (keyof Config)[];
  return keys.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null));
}

/** What a value is, in a few words: bounded whatever the value (a YAML alias bomb, deep nesting). */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v) && v.length === 0) return 'an empty list';
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}${v.length && typeof v[0] === 'string' ? ` (${JSON.stringify(v[0].slice(0, 40))}…)` : ''}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 60))}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v).slice(0, 40)}`;
}
