// The pre-push hook: `check` on every pushed tip. git writes one line per ref on stdin:
//   <local ref> SP <local sha> SP <remote ref> SP <remote sha>
// A deleted ref has an all-zero local sha and nothing to check.
import { openContext, type CommonOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { conflictMarkersInRange, type MarkedPatch } from '../history/markers.js';
import { inspect, type Inspection } from '../inspect.js';
import { isNullOid, isOid } from '../oid.js';
import { withWorkspace } from '../tmp.js';
import { skipped } from './pre-commit.js';

export interface PushedRef {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

export interface PushCheck {
  refs: PushedRef[];
  /** One inspection per distinct pushed commit. */
  checks: (Inspection & { refs: string[] })[];
  /** Patch files with conflict markers in pushed commits below the tips. */
  markers: MarkedPatch[];
  ok: boolean;
  skipped?: boolean;
}

export function parsePushInput(text: string): PushedRef[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const f = line.split(' ');
      if (f.length !== 4 || !isOid(f[1]) || !isOid(f[3])) {
        throw new UsageError(`pre-push: cannot read the line ${JSON.stringify(line)} from git`, 'flagpatch hook pre-push is meant to be run by git; pass no input by hand');
      }
      return { localRef: f[0], localSha: f[1], remoteRef: f[2], remoteSha: f[3] };
    });
}

export async function prePush(opts: CommonOptions & { input: string }): Promise<PushCheck> {
  const env = opts.env ?? process.env;
  const refs = parsePushInput(opts.input);
  if (skipped(env)) return { refs, checks: [], markers: [], ok: true, skipped: true };
  // The hook runs in a fork: a repository whose checked-out commit names a device. Each pushed
  // commit is then judged with its own config, as CI and a fresh clone would judge it.
  const { git, cfg } = await openContext(opts, { rev: 'HEAD' });
  if (!cfg.deviceType) return { refs, checks: [], markers: [], ok: true, skipped: true };
  const tips = new Map<string, string[]>();
  for (const r of refs) {
    if (isNullOid(r.localSha)) continue;
    tips.set(r.localSha, [...(tips.get(r.localSha) ?? []), r.remoteRef]);
  }
  const checks = await withWorkspace(async (dir) => {
    const out: PushCheck['checks'] = [];
    for (const [sha, names] of tips) out.push({ ...(await inspect(git, { rev: sha }, dir)), refs: names });
    return out;
  });
  const known: string[] = [];
  for (const r of refs) if (!/^0+$/.test(r.remoteSha) && (await git.commit(r.remoteSha))) known.push(r.remoteSha);
  const markers = (await conflictMarkersInRange(git, cfg, [...tips.keys()], known)).filter((m) => !tips.has(m.commit));
  return { refs, checks, markers, ok: markers.length === 0 && checks.every((c) => c.violations.length === 0) };
}
