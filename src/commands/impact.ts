// `flagpatch impact [REV]`: for upstream, whether each device's newest patch and each hetero
// combination still carries from its base to REV — `applies`, `merges`, `conflicts` (files
// and lines) or `base-missing` — and, with --first-bad, the first commit on the first-parent
// path that breaks it (bisection). --since OLD (pull request mode) compares with OLD: only
// patches that carried to OLD and no longer carry to REV fail. Nothing is written to the
// repository: temporary indexes and a temporary object directory (src/patch/carry.ts).
//
// In a vendor fork (HEAD's config names a device and base) without --since, the question is
// the vendor's: does the fork's own patch (HEAD's, for its configured base) carry to REV? So
// it judges that one patch, read from HEAD: exit 1 when it does not carry to REV, with what
// the vendor does about it (rebase and resolve).
import type { Config } from '../config.js';
import { openContext, revisionOf, type CommonOptions } from '../context.js';
import { RefusedError } from '../errors.js';
import type { Git } from '../git.js';
import { readHetero } from '../hetero.js';
import { patchId, patchPath } from '../layout.js';
import { treeSource } from '../source.js';
import { Carrier, scratchGit, type CarryState, type ConflictedFile, type Target } from '../patch/carry.js';
import { parsePatch, type PatchMessage } from '../patch/parse.js';
import { listPatches } from '../store.js';
import { withWorkspace } from '../tmp.js';

export interface ImpactOptions extends CommonOptions {
  /** The revision to carry to (default HEAD). */
  rev?: string;
  /** Pull request mode: the target branch; patches are read from it. */
  since?: string;
  firstBad?: boolean;
}

export interface PatchImpact {
  device: string;
  id: string;
  path: string;
  /** Full sha and committer date (YYYY-MM-DD) of the base, when the repository has it. */
  base?: string;
  baseDate?: string;
  /** Whether this is the device's newest patch (the others are here for a combination). */
  newest: boolean;
  state: CarryState;
  conflicts: ConflictedFile[];
  /** Why it is base-missing or invalid. */
  problem?: string;
  /** With --since: its state at OLD, and whether REV broke it (carried to OLD, not to REV). */
  since?: CarryState;
  broken?: boolean;
  /** With --first-bad: the first commit it stops carrying at, and how many merges that took. */
  firstBad?: { commit: string; subject: string; merges: number };
}

export interface CombinationImpact {
  line: number;
  id: string;
  devices: string[];
  /** The worst state of its devices' patches (`invalid` when one has no patch at ID). */
  state: CarryState;
  /** Devices whose patch does not carry (or is missing). */
  failing: string[];
}

export interface ImpactResult {
  rev: string;
  commit: string;
  since?: { rev: string; commit: string };
  patches: PatchImpact[];
  combinations: CombinationImpact[];
  /** --since: the patches REV broke. */
  broken: PatchImpact[];
  /** False only with --since (or in a fork) when REV broke a patch. */
  ok: boolean;
  /** HEAD's configured device when the repository is that vendor's fork; `own`: only its patch was judged (no --since). */
  fork?: { device: string; own: boolean; head?: string };
}

const CARRIES: readonly CarryState[] = ['applies', 'merges'];
const RANK: Record<CarryState, number> = { applies: 0, merges: 1, 'base-missing': 2, invalid: 3, conflicts: 4 };

export async function impact(opts: ImpactOptions = {}): Promise<ImpactResult> {
  const here = await openContext(opts, { rev: 'HEAD' });
  const forkDevice = here.cfg.deviceType && here.cfg.baseCommit ? here.cfg.deviceType : undefined;
  if (forkDevice && !opts.since) return forkImpact(here, forkDevice, opts);
  // The config of the branch the change goes into (--since OLD) or of REV: a pull request's
  // own config cannot move patchDir away from the patches it breaks.
  const { git, cfg } = await openContext(opts, opts.since ? { rev: opts.since, flag: '--since' } : { rev: opts.rev ?? 'HEAD', flag: 'REV' });
  const revName = opts.rev ?? 'HEAD';
  const rev = await revisionOf(git, revName, 'REV');
  const old = opts.since ? await revisionOf(git, opts.since, '--since') : null;
  // The patches a change could break are those of the branch it goes into.
  const source = old ?? rev;
  const candidates = await readPatches(git, cfg, source.tree);
  const hetero = await readHetero(treeSource(git, source.tree, old ? opts.since! : revName), cfg);
  const result = await judge(git, candidates, hetero.combinations, { rev, revName, old, since: opts.since, firstBad: opts.firstBad });
  return forkDevice ? { ...result, fork: { device: forkDevice, own: false } } : result;
}

/** In a fork: the fork's own patch (HEAD's, for the configured base) carried to REV, judged as `--since HEAD`. */
async function forkImpact(ctx: { git: Git; cfg: Config }, device: string, opts: ImpactOptions): Promise<ImpactResult> {
  const { git, cfg } = ctx;
  const revName = opts.rev ?? 'HEAD';
  const rev = await revisionOf(git, revName, 'REV');
  const head = await revisionOf(git, 'HEAD', 'HEAD');
  const base = await revisionOf(git, cfg.baseCommit, 'baseCommit');
  const own = patchPath(cfg, device, patchId(base.commit, cfg));
  const candidates = (await readPatches(git, cfg, head.tree)).filter((c) => c.path === own);
  const result = await judge(git, candidates, [], { rev, revName, old: null, firstBad: opts.firstBad });
  // Broken: does not carry to REV (the vendor's question is REV alone, not what HEAD had).
  const patches = result.patches.map((p) => ({ ...p, broken: !CARRIES.includes(p.state) }));
  const broken = patches.filter((p) => p.broken);
  return { ...result, patches, broken, ok: broken.length === 0, fork: { device, own: true, head: head.commit } };
}

async function judge(
  git: Git,
  candidates: Candidate[],
  combos: readonly { line: number; id: string; devices: string[] }[],
  o: { rev: Target; revName: string; old: Target | null; since?: string; firstBad?: boolean },
): Promise<ImpactResult> {
  const { rev, revName, old } = o;
  const opts = { since: o.since, firstBad: o.firstBad };
  const hetero = { combinations: combos };

  // Each device's newest patch (latest base committer date; then the later ID), and every
  // patch a combination names.
  const chosen = new Map<string, Candidate & { newest: boolean }>();
  for (const device of [...new Set(candidates.map((c) => c.device))].sort()) {
    const mine = candidates.filter((c) => c.device === device);
    const dated = mine.filter((c) => c.time !== undefined);
    const pick = (dated.length ? dated : mine).sort((a, b) => (b.time ?? 0) - (a.time ?? 0) || b.id.localeCompare(a.id))[0];
    chosen.set(pick.path, { ...pick, newest: true });
  }
  for (const c of hetero.combinations) {
    for (const d of c.devices) {
      const p = candidates.find((x) => x.device === d && x.id === c.id);
      if (p && !chosen.has(p.path)) chosen.set(p.path, { ...p, newest: false });
    }
  }

  const targets: Target[] = old ? [rev, old] : [rev];
  const patches = await withWorkspace(async (ws) => {
    const tmp = scratchGit(git, ws);
    return pool([...chosen.values()], 2, async (c): Promise<PatchImpact> => {
      const out: PatchImpact = { device: c.device, id: c.id, path: c.path, newest: c.newest, state: 'base-missing', conflicts: [] };
      if (c.problem || !c.base || !c.messages) {
        out.state = c.base ? 'invalid' : 'base-missing';
        out.problem = c.problem;
        return out;
      }
      Object.assign(out, { base: c.base.commit, baseDate: c.date });
      const carrier = new Carrier(tmp, ws, c.base, c.messages, c.path);
      try {
        const [atRev, atOld] = await carrier.carry(targets);
        out.state = atRev.state;
        out.conflicts = atRev.conflicts;
        if (atOld) {
          out.since = atOld.state;
          out.broken = CARRIES.includes(atOld.state) && !CARRIES.includes(atRev.state);
        }
      } catch (e) {
        if (!(e instanceof RefusedError)) throw e;
        out.state = 'invalid';
        out.problem = e.message;
        return out;
      }
      if (opts.firstBad && out.state === 'conflicts') {
        const from = old && out.since && CARRIES.includes(out.since) ? old.commit : c.base.commit;
        out.firstBad = (await firstBad(git, carrier, from, rev.commit)) ?? undefined;
      }
      return out;
    });
  });

  const combinations = hetero.combinations.map((c): CombinationImpact => {
    const states = c.devices.map((d) => patches.find((p) => p.device === d && p.id === c.id)?.state ?? ('invalid' as CarryState));
    const worst = states.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'applies' as CarryState);
    return { line: c.line, id: c.id, devices: c.devices, state: worst, failing: c.devices.filter((_, i) => !CARRIES.includes(states[i])) };
  });
  const broken = patches.filter((p) => p.broken);
  return {
    rev: revName,
    commit: rev.commit,
    ...(old ? { since: { rev: opts.since!, commit: old.commit } } : {}),
    patches,
    combinations,
    broken,
    ok: broken.length === 0,
  };
}

interface Candidate {
  device: string;
  id: string;
  path: string;
  base?: Target;
  /** Committer time of the base (seconds) and its date. */
  time?: number;
  date?: string;
  messages?: PatchMessage[];
  problem?: string;
}

/** Every patch of `tree`, parsed, with its base looked up (one cat-file process for all). */
async function readPatches(git: Git, cfg: Config, tree: string): Promise<Candidate[]> {
  const { patches } = await listPatches(git, cfg, tree);
  const blobs = await git.objects(patches.map((p) => p.sha));
  const out: Candidate[] = patches.map((p, i) => {
    const c: Candidate = { device: p.device, id: p.id, path: p.path };
    try {
      c.messages = parsePatch(blobs[i]?.data ?? Buffer.alloc(0), p.path);
      const device = c.messages.find((m) => m.device)?.device;
      if (device && device !== p.device) c.problem = `${p.path}: its Flagpatch-Device ${device} does not match its folder`;
    } catch (e) {
      c.problem = (e as Error).message;
    }
    return c;
  });
  const specs = out.map((c) => {
    const trailer = c.messages?.find((m) => m.base)?.base;
    return trailer && /^[0-9a-f]{40}$/.test(trailer) && trailer.startsWith(c.id) ? trailer : c.id;
  });
  const commits = await git.objects(specs.map((s) => `${s}^{commit}`));
  out.forEach((c, i) => {
    const o = commits[i];
    if (o?.type !== 'commit' || !o.sha.startsWith(c.id)) {
      c.problem ??= `${c.path}: its base ${specs[i]} is not a commit of this repository (fetch the upstream history that holds it)`;
      return;
    }
    const text = o.data.toString('utf8');
    const treeId = /^tree ([0-9a-f]+)$/m.exec(text)?.[1];
    const time = /^committer .* (\d+) [+-]\d{4}$/m.exec(text)?.[1];
    if (!treeId) return;
    c.base = { commit: o.sha, tree: treeId };
    c.time = Number(time ?? 0);
    c.date = new Date(c.time * 1000).toISOString().slice(0, 10);
  });
  return out;
}

/**
 * The first commit on the first-parent path from `from` (exclusive) to `to` at which the
 * patch stops merging cleanly: a bisection, about log2(n) merges.
 */
async function firstBad(git: Git, carrier: Carrier, from: string, to: string): Promise<{ commit: string; subject: string; merges: number } | null> {
  const out = await git.text(['log', '--first-parent', '--reverse', '--no-decorate', '--format=%H %T %s', `${from}..${to}`]);
  const path = out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [commit, tree, ...subject] = l.split(' ');
      return { commit, tree, subject: subject.join(' ') };
    });
  if (path.length === 0) return null;
  let lo = -1; // carries (the start)
  let hi = path.length - 1; // does not (the target)
  let merges = 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    merges++;
    if (await carrier.mergesCleanly(path[mid].tree)) lo = mid;
    else hi = mid;
  }
  return { commit: path[hi].commit, subject: path[hi].subject, merges };
}

/** Runs `fn` over `items` with at most `limit` at once; results keep the order of `items`. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
