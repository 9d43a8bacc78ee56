// Makes the vendor patch: every difference between the base tree and the vendor tree outside
// the owned paths, as one mailbox message. It is parsed and applied to the base before anyone
// writes it; a patch that would not reproduce the vendor tree exactly is refused.
import type { Config } from '../config.js';
import { RefusedError } from '../errors.js';
import { parseRaw, type Git, type RawChange } from '../git.js';
import { refuseUnmerged } from '../history/unmerged.js';
import { patchId, vendorPathspecs } from '../layout.js';
import { applyOnBase, differences, expectedAfter } from './apply.js';
import { formatMailbox, type MessageInfo } from './format.js';
import { parsePatch, type PatchMessage } from './parse.js';
import { checkPatchRules } from './rules.js';

// Every flag that shapes the patch, pinned so user config cannot change it (with the
// `-c` settings in git.ts): full blob ids and binary data so `git apply` needs nothing else;
// a/ b/ prefixes; one rename rule (50% similarity, as git's default) so renames read as
// renames; myers with the indent heuristic and 3 lines of context, as git's defaults;
// the diffstat at format-patch's width of 72 columns.
export const PATCH_DIFF_FLAGS = [
  '-r',
  '--patch-with-stat',
  '--stat=72',
  '--summary',
  '--binary',
  '--full-index',
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--src-prefix=a/',
  '--dst-prefix=b/',
  '--find-renames=50%',
  '-l1000',
  '--diff-algorithm=myers',
  '--indent-heuristic',
  '-U3',
  '--inter-hunk-context=0',
  '-O/dev/null',
  '--no-relative',
];

export interface Stats {
  files: number;
  insertions: number;
  deletions: number;
}

export interface MadePatch extends Stats {
  mailbox: Buffer;
  messages: PatchMessage[];
  changes: RawChange[];
}

export interface MakeInput {
  base: string;
  baseTree: string;
  /** The vendor tree; without it, the index named by GIT_INDEX_FILE (what a commit will hold). */
  tree?: string;
  /** May be a promise, so the diff runs while the caller works it out. */
  info: MessageInfo | Promise<MessageInfo>;
  /** Names the patch in messages, e.g. its path. */
  label: string;
}

/** The vendor changes between two trees, or an empty list when there are none. */
export function vendorChanges(git: Git, cfg: Config, baseTree: string, tree: string): Promise<RawChange[]> {
  return git.rawDiff(baseTree, tree, vendorPathspecs(cfg));
}

/** Makes and verifies the patch; null when the trees hold no vendor difference. */
export async function makePatch(git: Git, workspace: string, cfg: Config, input: MakeInput): Promise<MadePatch | null> {
  const [{ changes, statAndDiff }, info] = await Promise.all([diffWithChanges(git, cfg, input.baseTree, input.tree), input.info]);
  if (changes.length === 0) return null;
  const mailbox = formatMailbox(info, statAndDiff);
  // The same reader and rules as check and unpatch: what the hook writes, they accept.
  const messages = parsePatch(mailbox, input.label);
  checkPatchRules(messages, cfg, { device: info.device, id: patchId(info.base, cfg), path: input.label });
  await verifyRoundTrip(git, workspace, input.base, messages, changes, input.label);
  return { mailbox, messages, changes, ...stats(messages) };
}

/**
 * One git process for both what changed (`--raw`, for the round trip) and the patch text:
 * `diff-tree` between two trees, or `diff-index --cached` against the index being committed
 * (no write-tree needed). With -z git ends the raw records with NULs and separates the stat
 * from the diff with a NUL where it would print an empty line; that NUL becomes the newline
 * `--patch-with-stat` prints alone, so the text is byte for byte what git prints without --raw.
 */
async function diffWithChanges(git: Git, cfg: Config, baseTree: string, tree: string | undefined): Promise<{ changes: RawChange[]; statAndDiff: Buffer }> {
  // A file added with `git add -N` is in the index but not in the commit: left out, as git does.
  const which = tree ? ['diff-tree', ...PATCH_DIFF_FLAGS, '-z', '--raw', baseTree, tree] : ['diff-index', '--cached', '--ita-invisible-in-index', ...PATCH_DIFF_FLAGS, '-z', '--raw', baseTree];
  const out = (await git.run([...which, '--', ...vendorPathspecs(cfg)])).stdout;
  const { changes, end } = parseRaw(out);
  refuseUnmerged(changes); // an index with conflicts (status U) has no vendor tree to patch yet
  const rest = out.subarray(end);
  const nul = rest.indexOf(0);
  const statAndDiff = nul === -1 ? rest : Buffer.concat([rest.subarray(0, nul), Buffer.from('\n'), rest.subarray(nul + 1)]);
  return { changes, statAndDiff };
}

/**
 * Applies `messages` to `base` and compares the result with the base changed by `changes`.
 * Throws when they differ, naming the first paths that do.
 */
export async function verifyRoundTrip(git: Git, workspace: string, base: string, messages: readonly PatchMessage[], changes: readonly RawChange[], label: string): Promise<void> {
  const refuse = (why: string) =>
    new RefusedError(
      `the patch applied to the base would not reproduce the vendor tree (${why}); nothing was written`,
      'make the vendor tree expressible as a patch of the base: e.g. an "exclude"d file must not sit where the vendor tree changes a folder into a file',
      label,
    );
  let applied;
  try {
    // The raw diff already names the base's entry of every path it changes but those it adds;
    // only the added paths (and what might stand in their way) are looked up.
    const known = changes.filter((c) => c.srcMode !== '000000').map((c) => ({ mode: c.srcMode, sha: c.srcSha, path: c.from ?? c.path }));
    const added = changes.filter((c) => c.srcMode === '000000').map((c) => c.path);
    applied = await applyOnBase(git, workspace, base, messages, label, { known, paths: added });
  } catch (e) {
    throw e instanceof RefusedError ? refuse(e.problem) : e;
  }
  const diffs = differences(applied.after, expectedAfter(applied.before, changes));
  if (diffs.length) throw refuse(`it differs at ${diffs.slice(0, 5).join(', ')}${diffs.length > 5 ? ` and ${diffs.length - 5} more` : ''}`);
}

export function stats(messages: readonly PatchMessage[]): Stats {
  const files = new Set<string>();
  let insertions = 0;
  let deletions = 0;
  for (const m of messages) {
    for (const f of m.files) {
      files.add((f.newPath ?? f.oldPath) as string);
      insertions += f.added;
      deletions += f.removed;
    }
  }
  return { files: files.size, insertions, deletions };
}
