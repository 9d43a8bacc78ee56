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
    throw new UsageError(
      `bad device type ${JSON.stringify(name)}: use ASCII letters, digits and _ only`,
      'name the vendor and chip, e.g. --device-type A_X100',
    );
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

/** Whether `file` is an owned path of `cfg` (or under one), or matched by its `exclude`. */
export function isOwned(cfg: Pick<Config, 'patchDir' | 'heteroFile' | 'exclude'>, file: string): boolean {
  return ownedPaths(cfg).some((o) => file === o || file.startsWith(`${o}/`)) || cfg.exclude.some((p) => matchesPathspec(p, file));
}

/** Pathspecs that limit a diff to the vendor code: everything but the owned paths. */
export function vendorPathspecs(cfg: Config): string[] {
  return [
    ':(top)',
    ...ownedPaths(cfg).map((p) => `:(top,literal,exclude)${p}`),
    ...cfg.exclude.map((p) => `:(top,exclude)${p}`),
  ];
}

/** Parses `<patchDir>/<DEV>/<ID>/<ID>.patch`; returns null for any other path. */
export function parsePatchPath(cfg: Config, file: string): { device: string; id: string } | null {
  const prefix = `${cfg.patchDir}/`;
  if (!file.startsWith(prefix)) return null;
  const parts = file.slice(prefix.length).split('/');
  if (parts.length !== 3 || parts[2] !== `${parts[1]}.patch`) return null;
  return { device: parts[0], id: parts[1] };
}
