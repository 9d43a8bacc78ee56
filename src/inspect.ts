// Looks at every patch and the hetero registry of one commit: what `check` judges and
// `status` shows. Nothing is written to the repository (patches are applied on temporary
// indexes with a temporary object directory).
import type { Config } from './config.js';
import { revisionOf, type Context } from './context.js';
import { FlagpatchError } from './errors.js';
import type { Git, RawChange } from './git.js';
import { parseHetero, type Hetero } from './hetero.js';
import { patchId, patchPath } from './layout.js';
import { applyOnBase, differences, expectedAfter } from './patch/apply.js';
import { inexactProblem, refuseConflictMarkers } from './patch/fresh.js';
import { stats, vendorChanges } from './patch/make.js';
import { parsePatch } from './patch/parse.js';
import { baseOf, listPatches } from './store.js';

export type PatchState = 'fresh' | 'stale' | 'does-not-apply';

export interface PatchReport {
  device: string;
  id: string;
  path: string;
  /** Full sha of the base, when it could be found. */
  base?: string;
  /** Committer date of the base, YYYY-MM-DD. */
  baseDate?: string;
  files: number;
  insertions: number;
  deletions: number;
  /** The hetero combinations (device lists) this patch belongs to. */
  combinations: string[][];
  state: PatchState;
  /** Why the patch is stale or does not apply. */
  problem?: string;
  /** How to fix it (internal; moved into the violation). */
  fix?: string;
}

export interface Violation {
  /** `hetero.txt:3`, a patch path, or the config file. */
  where: string;
  problem: string;
  fix: string;
}

export interface Inspection {
  rev: string;
  commit: string;
  patches: PatchReport[];
  violations: Violation[];
}

export async function inspect(ctx: Context, rev: string, workspace: string): Promise<Inspection> {
  const { git, cfg } = ctx;
  const { commit, tree } = await revisionOf(git, rev, 'REV');
  const violations: Violation[] = [];
  const { patches, problems } = await listPatches(git, cfg, tree);
  for (const p of problems) {
    violations.push({ where: p.path, problem: p.problem, fix: `keep only patches at ${cfg.patchDir}/<DEVICE>/<ID>/<ID>.patch under ${cfg.patchDir}/` });
  }

  const hetero = await readHetero(git, cfg, tree);
  for (const p of hetero.problems) violations.push({ where: `${cfg.heteroFile}:${p.line}`, problem: p.message, fix: p.fix });
  for (const c of hetero.combinations) {
    for (const d of c.devices) {
      if (!patches.some((p) => p.device === d && p.id === c.id)) {
        violations.push({
          where: `${cfg.heteroFile}:${c.line}`,
          problem: `${d} has no patch at ${c.id} (${patchPath(cfg, d, c.id)})`,
          fix: `add ${d}'s patch for base ${c.id} (flagpatch patch --device-type ${c.devices.filter((x) => x !== d).join(' ')} ${d} --base-commit-id ${c.id}), or remove ${d} from the line`,
        });
      }
    }
  }

  // Where this commit holds the configured device's vendor code, that device's patch must be fresh.
  const fresh = await freshnessTarget(git, cfg, tree);
  if (fresh && fresh.changes.length && !patches.some((p) => p.device === cfg.deviceType && p.id === fresh.id)) {
    violations.push({
      where: patchPath(cfg, cfg.deviceType!, fresh.id),
      problem: `missing: this commit changes vendor code but holds no ${cfg.deviceType} patch for base ${fresh.id}`,
      fix: 'commit with the hooks on (git commit --amend --no-edit) so the pre-commit hook writes it',
    });
  }

  // Every patch blob in one process; bases resolved once each; two patches at a time.
  const blobs = await git.objects(patches.map((p) => p.sha));
  const commits = memo((rev: string) => git.commit(rev));
  const dates = memo((sha: string) => git.text(['show', '-s', '--format=%cs', sha]));
  const reports = await pool(patches, 2, async (p, i): Promise<PatchReport> => {
    const combinations = hetero.combinations.filter((c) => c.id === p.id && c.devices.includes(p.device)).map((c) => c.devices);
    const report: PatchReport = { device: p.device, id: p.id, path: p.path, files: 0, insertions: 0, deletions: 0, combinations, state: 'fresh' };
    try {
      refuseConflictMarkers(blobs[i]?.data ?? Buffer.alloc(0));
      const messages = parsePatch(blobs[i]?.data ?? Buffer.alloc(0), p.path);
      Object.assign(report, stats(messages));
      const device = messages.find((m) => m.device)?.device;
      if (device && device !== p.device) {
        throw new FlagpatchError(`${p.path}: its Flagpatch-Device ${device} does not match its folder ${p.device}`, 'move the patch to the folder of its device');
      }
      report.base = await baseOf(git, p.id, messages, p.path, commits);
      report.baseDate = await dates(report.base);
      const judged = fresh && p.device === cfg.deviceType && p.id === fresh.id ? fresh.changes : null;
      // Patches of other devices only need to apply; the fork's own must also match its code.
      const applied = await applyOnBase(git, workspace, report.base, messages, p.path, { paths: judged?.map((c) => c.path), checkOnly: !judged });
      if (judged) {
        const diffs = differences(applied.after, expectedAfter(applied.before, judged));
        if (diffs.length) {
          report.state = 'stale';
          report.problem = `stale: it does not match the vendor code of this commit at ${diffs.slice(0, 3).join(', ')}${diffs.length > 3 ? ` and ${diffs.length - 3} more` : ''}`;
        } else {
          const inexact = await inexactProblem(git, cfg, report.base, tree, blobs[i]!.data);
          if (inexact) [report.state, report.problem] = ['stale', inexact];
        }
      }
    } catch (e) {
      if (!(e instanceof FlagpatchError)) throw e;
      report.state = 'does-not-apply';
      report.problem = e.message;
      report.fix = e.fix;
    }
    return report;
  });
  for (const r of reports) {
    if (r.state === 'stale') violations.push({ where: r.path, problem: r.problem!, fix: 'refresh it: commit with the hooks on (git commit --amend --no-edit, not --no-verify), or run flagpatch patch' });
    if (r.state === 'does-not-apply') violations.push({ where: r.path, problem: r.problem!, fix: r.fix ?? 'regenerate the patch with `flagpatch patch`' });
    delete r.fix;
  }
  return { rev, commit, patches: reports, violations };
}

export async function readHetero(git: Git, cfg: Config, tree: string): Promise<Hetero> {
  const sha = await git.objectAt(tree, cfg.heteroFile);
  return parseHetero(sha ? (await git.blob(sha)).toString('utf8') : '', cfg.idLength);
}

/**
 * The vendor changes of the configured device, when `tree` is a vendor tree: its copy of the
 * config file names the same device. Upstream trees and submission commits hold no such
 * config, so only the fork's own commits are judged for freshness.
 */
async function freshnessTarget(git: Git, cfg: Config, tree: string): Promise<{ id: string; changes: RawChange[] } | null> {
  if (!cfg.deviceType || !cfg.baseCommit || !cfg.file) return null;
  const sha = await git.objectAt(tree, cfg.file);
  if (!sha) return null;
  if (cfg.file.endsWith('.json') || cfg.file === '.flagpatchrc') {
    let parsed: unknown;
    try {
      parsed = JSON.parse((await git.blob(sha)).toString('utf8'));
    } catch {
      parsed = undefined; // YAML in .flagpatchrc: its presence is enough
    }
    const section = cfg.file === 'package.json' ? (parsed as { flagpatch?: unknown } | undefined)?.flagpatch : parsed;
    if (parsed !== undefined && (section as { deviceType?: unknown } | undefined)?.deviceType !== cfg.deviceType) return null;
  }
  const base = await revisionOf(git, cfg.baseCommit, 'baseCommit');
  const changes = await vendorChanges(git, cfg, base.tree, tree);
  return { id: patchId(base.commit, cfg), changes };
}

/** Runs `fn` over `items` with at most `limit` at once; results keep the order of `items`. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Caches an async lookup by its argument. */
function memo<R>(fn: (key: string) => Promise<R>): (key: string) => Promise<R> {
  const cache = new Map<string, Promise<R>>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key)!;
  };
}
