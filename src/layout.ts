// Where patches live and what is never part of a vendor patch.
//   <patchDir>/<DEVICE>/<ID>/<ID>.patch    ID = the base commit abbreviated to idLength hex digits
import { CONFIG_NAMES, type Config } from './config.js';
import { UsageError } from './errors.js';
import { matchesPathspec } from './pathspec.js';

export const DEVICE_RE = /^[A-Za-z0-9_]+$/;
export const HOOKS_DIR = 'hooks';
/** husky's usual hook folder: owned too, so a patch cannot plant hooks in a fork that uses it. */
export const HUSKY_DIR = '.husky';

export function checkDevice(name: string): string {
  if (!DEVICE_RE.test(name)) {
    throw new UsageError(`bad device type ${JSON.stringify(name)}: use ASCII letters, digits and _ only`, 'name the vendor and chip, e.g. --device-type A_X100');
  }
  return name;
}

export function patchId(baseSha: string, cfg: Pick<Config, 'idLength'>): string {
  return baseSha.slice(0, cfg.idLength);
}

export function patchPath(cfg: Pick<Config, 'patchDir'>, device: string, id: string): string {
  return `${cfg.patchDir}/${device}/${id}/${id}.patch`;
}

/**
 * Paths never part of a vendor patch, as literal repository paths (prefix matches): the patch
 * folder, the hetero registry, every config file name, and the hook folders. `exclude` adds
 * patterns (see isOwned).
 */
export function ownedPaths(cfg: Pick<Config, 'patchDir' | 'heteroFile'>): string[] {
  return [cfg.patchDir, cfg.heteroFile, ...CONFIG_NAMES, HOOKS_DIR, HUSKY_DIR];
}

/**
 * Whether `file` is an owned path of `cfg` (or under one), or matched by its `exclude`: 'exact'
 * when it is byte for byte, 'alias' when macOS or Windows would take it for one (`Hooks/x`,
 * `hetero.txt.`, `HETERO~1.TXT`), null when it is vendor code.
 */
export function isOwned(cfg: Pick<Config, 'patchDir' | 'heteroFile' | 'exclude'>, file: string): 'exact' | 'alias' | null {
  const owned = ownedPaths(cfg);
  if (owned.some((o) => file === o || file.startsWith(`${o}/`)) || cfg.exclude.some((p) => matchesPathspec(p, file))) return 'exact';
  const parts = file.split('/');
  return owned.some((o) => {
    const own = o.split('/');
    return own.length <= parts.length && own.every((c, i) => sameOnSomeFileSystem(parts[i], c));
  })
    ? 'alias'
    : null;
}

// Code points HFS+ ignores in names.
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/gu;

/** A file name as case-insensitive, HFS+ and NTFS file systems compare it. */
function foldName(name: string): string {
  const lower = name.toLowerCase().replace(HFS_IGNORED, '');
  const stream = lower.indexOf(':');
  return (stream === -1 ? lower : lower.slice(0, stream)).replace(/[. ]+$/, '');
}

/** Whether `name` reaches `owned` on macOS or Windows (case, ignorables, trailing dots, 8.3 names). */
function sameOnSomeFileSystem(name: string, owned: string): boolean {
  const a = foldName(name);
  const b = foldName(owned);
  if (a === b) return true;
  const short = /^([^~]{1,6})~\d{1,6}(?:\.([^.]{0,3}))?$/.exec(a);
  if (!short) return false;
  const plain = b.replace(/^\.+/, '');
  const dot = plain.lastIndexOf('.');
  const stem = (dot === -1 ? plain : plain.slice(0, dot)).replace(/[. ]/g, '');
  const ext = dot === -1 ? '' : plain.slice(dot + 1);
  return stem.startsWith(short[1]) && ext.startsWith(short[2] ?? '');
}

/** Pathspecs that limit a diff to the vendor code: everything but the owned paths. */
export function vendorPathspecs(cfg: Config): string[] {
  return [':(top)', ...ownedPaths(cfg).map((p) => `:(top,literal,exclude)${p}`), ...cfg.exclude.map((p) => `:(top,exclude)${p}`)];
}

/** Parses `<patchDir>/<DEV>/<ID>/<ID>.patch`; returns null for any other path. */
export function parsePatchPath(cfg: Config, file: string): { device: string; id: string } | null {
  const prefix = `${cfg.patchDir}/`;
  if (!file.startsWith(prefix)) return null;
  const parts = file.slice(prefix.length).split('/');
  if (parts.length !== 3 || parts[2] !== `${parts[1]}.patch`) return null;
  return { device: parts[0], id: parts[1] };
}
