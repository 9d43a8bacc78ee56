// Looks at every patch and the hetero registry of one commit: what `check` judges and
// `status` shows. The commit is judged with its own config (or, in CI, a trusted revision's),
// never the work tree's. Nothing is written to the repository (patches are applied on
// temporary indexes with a temporary object directory), and a hostile commit costs bounded
// memory: patch blobs are sized before they are read, and read a bounded batch at a time.
import { changedKeys, loadConfig, type Config } from './config.js';
import { revisionOf, sourceOf } from './context.js';
import { ConfigError, FlagpatchError } from './errors.js';
import type { Git, RawChange } from './git.js';
import { readHetero } from './hetero.js';
import { patchId, patchPath } from './layout.js';
import { LIMITS, mib } from './limits.js';
import { applyOnBase, differences, expectedAfter } from './patch/apply.js';
import { inexactProblem, refuseConflictMarkers } from './patch/fresh.js';
import { stats, vendorChanges } from './patch/make.js';
import { parsePatch, type PatchMessage } from './patch/parse.js';
import { checkPatchRules } from './patch/rules.js';
import { treeSource } from './source.js';
import { baseOf, listPatches, type StoredPatch } from './store.js';

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
  /** How to fix it. */
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
  /** Where the config came from: the commit itself, or the trusted revision of --config-from. */
  configFrom: string;
  patches: PatchReport[];
  violations: Violation[];
  /** Violations found but not listed (over LIMITS.problems of one kind). */
  omitted: number;
}

export interface InspectOptions {
  rev: string;
  /** Judge with this (trusted) revision's config; a commit whose own config differs is a violation. */
  configFrom?: string;
  /** With configFrom: accept a commit whose config differs from the trusted one. */
  allowConfigChange?: boolean;
}

/** Blob bytes read at once when judging patches (bounds memory whatever the commit holds). */
const READ_BUDGET = LIMITS.patchBytes;

export async function inspect(git: Git, opts: InspectOptions, workspace: string): Promise<Inspection> {
  const { rev } = opts;
  const { commit, tree } = await revisionOf(git, rev, 'REV');
  const source = treeSource(git, tree, `${rev} (${commit.slice(0, 12)})`);
  const violations: Violation[] = [];
  let omitted = 0;
  const cfg = opts.configFrom ? await trustedConfig(git, opts, source, violations) : await loadConfig(source);
  const { patches, problems, more } = await listPatches(git, cfg, tree);
  omitted += more;
  for (const p of problems) {
    violations.push({ where: p.path, problem: p.problem, fix: `keep only patches at ${cfg.patchDir}/<DEVICE>/<ID>/<ID>.patch under ${cfg.patchDir}/` });
  }

  const hetero = await readHetero(source, cfg);
  omitted += hetero.moreProblems ?? 0;
  for (const p of hetero.problems) violations.push({ where: `${cfg.heteroFile}:${p.line}`, problem: p.message, fix: p.fix });
  const stored = new Set(patches.map((p) => `${p.device}:${p.id}`));
  let missing = 0;
  for (const c of hetero.combinations) {
    for (const d of c.devices) {
      if (stored.has(`${d}:${c.id}`)) continue;
      if (missing++ >= LIMITS.problems) continue; // counted in `omitted`, not listed
      violations.push({
        where: `${cfg.heteroFile}:${c.line}`,
        problem: `${d} has no patch at ${c.id} (${patchPath(cfg, d, c.id)})`,
        fix: `add ${d}'s patch for base ${c.id} (flagpatch patch --device-type ${c.devices.filter((x) => x !== d).join(' ')} ${d} --base-commit-id ${c.id}), or remove ${d} from the line`,
      });
    }
  }
  omitted += Math.max(0, missing - LIMITS.problems);

  // Where this commit holds the configured device's vendor code, that device's patch must be fresh.
  const fresh = await freshnessTarget(git, cfg, tree);
  if (fresh && fresh.changes.length && !patches.some((p) => p.device === cfg.deviceType && p.id === fresh.id)) {
    violations.push({
      where: patchPath(cfg, cfg.deviceType!, fresh.id),
      problem: `missing: this commit changes vendor code but holds no ${cfg.deviceType} patch for base ${fresh.id}`,
      fix: 'commit with the hooks on (git commit --amend --no-edit) so the pre-commit hook writes it',
    });
  }

  const commits = memo((r: string) => git.commit(r));
  // In CI a patch must adapt a commit of the trusted branch: a base the pull request brings
  // along could be anything (e.g. built to make git apply search for its hunks at length).
  const trusted = opts.configFrom ? (await revisionOf(git, opts.configFrom, '--config-from')).commit : null;
  const onTrusted = memo(async (base: string) => (trusted ? git.isAncestor(base, trusted) : true));
  const dates = memo((sha: string) => git.show(sha, '%cs'));
  // A blob named at many paths is read and parsed once, and applied once per base when only
  // its applying is judged: a commit cannot multiply its cost by repeating one blob.
  const applies = new Map<string, Promise<void>>();
  const reports: PatchReport[] = [];
  for (const batch of await readInBatches(git, patches)) {
    const parsed = new Map<string, PatchMessage[] | FlagpatchError>();
    const parseOnce = (sha: string, data: Buffer | null, label: string) => {
      if (!parsed.has(sha)) {
        try {
          refuseConflictMarkers(data ?? Buffer.alloc(0));
          parsed.set(sha, parsePatch(data ?? Buffer.alloc(0), label));
        } catch (e) {
          if (!(e instanceof FlagpatchError)) throw e;
          parsed.set(sha, e);
        }
      }
      return parsed.get(sha)!;
    };
    reports.push(
      ...(await pool(batch, 2, async ({ patch: p, data }): Promise<PatchReport> => {
        const combinations = hetero.combinations.filter((c) => c.id === p.id && c.devices.includes(p.device)).map((c) => c.devices);
        const report: PatchReport = { device: p.device, id: p.id, path: p.path, files: 0, insertions: 0, deletions: 0, combinations, state: 'fresh' };
        try {
          if (data === 'too-large')
            throw new FlagpatchError(`is larger than ${mib(LIMITS.patchBytes)}, the limit for a patch file`, 'split the adaptation, or keep large binaries out of the patch (exclude them)', 1, {
              where: p.path,
            });
          if (data === 'over-budget')
            throw new FlagpatchError(`was not read: the patches of this commit hold more than ${mib(LIMITS.commitPatchBytes)} in all`, 'keep the patch folder to real vendor patches', 1, {
              where: p.path,
            });
          const messages = parseOnce(p.sha, data, p.path);
          if (messages instanceof FlagpatchError) throw messages;
          checkPatchRules(messages, cfg, p);
          Object.assign(report, stats(messages));
          report.base = await baseOf(git, p.id, messages, p.path, commits);
          if (!(await onTrusted(report.base))) {
            throw new FlagpatchError(
              `its base ${report.base.slice(0, 12)} is not a commit of ${opts.configFrom}: a patch adapts an upstream commit`,
              `make the patch on a commit of ${opts.configFrom} (flagpatch rebase --onto <it> carries it there)`,
              1,
              { where: p.path },
            );
          }
          report.baseDate = await dates(report.base);
          const judged = fresh && p.device === cfg.deviceType && p.id === fresh.id ? fresh.changes : null;
          if (judged) {
            // The fork's own patch must reproduce the vendor code of this commit exactly.
            const applied = await applyOnBase(git, workspace, report.base, messages, p.path, { paths: judged.map((c) => c.path) });
            const diffs = differences(applied.after, expectedAfter(applied.before, judged));
            // Fresh means exact: applying is not enough, the text must be what flagpatch makes now.
            const stale = diffs.length
              ? `stale: it does not match the vendor code of this commit at ${diffs.slice(0, 3).join(', ')}${diffs.length > 3 ? ` and ${diffs.length - 3} more` : ''}`
              : await inexactProblem(git, cfg, report.base, tree, data!);
            if (stale) {
              report.state = 'stale';
              report.problem = stale;
              report.fix = 'refresh it: commit with the hooks on (git commit --amend --no-edit, not --no-verify); `flagpatch patch` makes a submission, it does not refresh this commit';
            }
          } else {
            // Patches of other devices only need to apply on their base.
            const key = `${p.sha}:${report.base}`;
            if (!applies.has(key))
              applies.set(
                key,
                applyOnBase(git, workspace, report.base, messages, p.path, { checkOnly: true }).then(() => undefined),
              );
            await applies.get(key)!.catch((e: unknown) => {
              throw e instanceof FlagpatchError ? new FlagpatchError(e.problem, e.fix, 1, { where: p.path }) : e;
            });
          }
        } catch (e) {
          if (!(e instanceof FlagpatchError)) throw e;
          report.state = 'does-not-apply';
          report.problem = e.problem;
          report.fix = e.fix ?? 'regenerate the patch with `flagpatch patch`';
        }
        return report;
      })),
    );
  }
  for (const r of reports) if (r.state !== 'fresh') violations.push({ where: r.path, problem: r.problem!, fix: r.fix! });
  return { rev, commit, configFrom: opts.configFrom ?? rev, patches: reports, violations, omitted };
}

/**
 * The trusted revision's config. The commit's own config is only compared with it: a change
 * (or a config that cannot be read) is a violation unless allowed, so a pull request cannot
 * point the check at empty folders or switch it off.
 */
async function trustedConfig(git: Git, opts: InspectOptions, source: ReturnType<typeof treeSource>, violations: Violation[]): Promise<Config> {
  const trusted = await loadConfig(await sourceOf(git, { rev: opts.configFrom!, flag: '--config-from' }));
  let own: Config;
  try {
    own = await loadConfig(source);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    violations.push({
      where: e.where ?? e.file,
      problem: `this commit's config cannot be used: ${e.toProblem().problem}`,
      fix: `${e.fix ?? 'fix it'}; the check used the config of ${opts.configFrom}`,
    });
    return trusted;
  }
  const changed = changedKeys(trusted, own);
  if (changed.length && !opts.allowConfigChange) {
    violations.push({
      where: own.file ?? trusted.file ?? '.flagpatchrc.json',
      problem: `this commit changes the flagpatch config of ${opts.configFrom}: ${changed.join(', ')}`,
      fix: `keep the config of ${opts.configFrom} (the check used it), or have a maintainer accept the change with --allow-config-change`,
    });
  }
  return trusted;
}

type BlobData = Buffer | 'too-large' | 'over-budget' | null;

/**
 * The patch blobs, sized first (one `cat-file --batch-check`), then read in batches of at most
 * READ_BUDGET bytes, each distinct blob once. A blob over the patch limit is never read, nor
 * anything past LIMITS.commitPatchBytes of distinct patch bytes in one commit.
 */
async function readInBatches(git: Git, patches: readonly StoredPatch[]): Promise<{ patch: StoredPatch; data: BlobData }[][]> {
  const sizes = await git.sizes(patches.map((p) => p.sha));
  const batches: { patch: StoredPatch; over: boolean }[][] = [[]];
  const seen = new Set<string>();
  let used = 0;
  let total = 0;
  for (const [i, p] of patches.entries()) {
    const size = sizes[i]?.size ?? 0;
    const counted = size > LIMITS.patchBytes || seen.has(p.sha) ? 0 : size;
    seen.add(p.sha);
    total += counted;
    if (used + counted > READ_BUDGET && batches[batches.length - 1].length) (batches.push([]), (used = 0));
    batches[batches.length - 1].push({ patch: p, over: total > LIMITS.commitPatchBytes });
    used += counted;
  }
  const out: { patch: StoredPatch; data: BlobData }[][] = [];
  for (const batch of batches) {
    const read = batch.filter((b) => !b.over);
    const data = await git.blobsLimited(
      read.map((b) => b.patch.sha),
      LIMITS.patchBytes,
    );
    const bySha = new Map(read.map((b, i) => [b.patch.sha, data[i]]));
    out.push(batch.map((b) => ({ patch: b.patch, data: b.over ? 'over-budget' : (bySha.get(b.patch.sha) ?? null) })));
  }
  return out;
}

/**
 * The vendor changes of the configured device, when the config that judges this commit names
 * one (a vendor fork's commit); upstream commits and submission commits name none, so only the
 * fork's own commits are judged for freshness.
 */
async function freshnessTarget(git: Git, cfg: Config, tree: string): Promise<{ id: string; changes: RawChange[] } | null> {
  if (!cfg.deviceType || !cfg.baseCommit) return null;
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
