// What each command takes and prints: its flags, usage and help text, and how its result
// reads (src/cli/render.ts renders problems and errors). src/main.ts dispatches to it.
// Command modules are imported when their command runs, so the hooks load only what they use.
import type { FlagKind, Flags } from '../args.js';
import type { RefreshResult } from '../commands/refresh.js';
import { UsageError } from '../errors.js';
import type { AmendResult } from '../history/amend.js';
import { escapeText } from '../text.js';
import { paint, renderProblems, statusTable } from './render.js';

export interface Command {
  summary: string;
  usage: string;
  help: string;
  flags: Record<string, FlagKind>;
  positionals: number;
  run(flags: Flags, positionals: string[], out: Output): Promise<number>;
}

/** How a command prints: the CLI's streams, colour, --json, and where the library runs. */
export interface Output {
  log(line: string): void;
  err(line: string): void;
  progress(line: string): void;
  color: boolean;
  json: boolean;
  /** The command being run (named in --json output). */
  command: string;
  /** cwd, env and the abort signal for the library calls. */
  at: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal };
  stdin(): Promise<string>;
}

const DEVICE_HELP = '  --device-type DEV [DEV...]  device(s); default: "deviceType" of the config';

export const commands: Record<string, Command> = {
  patch: {
    summary: 'make the submission commit holding the device patch',
    usage: 'flagpatch patch --device-type DEV [DEV...] --base-commit-id REV [--current-commit-id REV] [--onto REV] [--json]',
    help: `Generates the patch from the base to the current commit (outside owned paths), checks that
it reproduces the current tree when applied to the base (exit 1 and nothing written if not),
and commits it on top of --onto as branch flagpatch/<DEV>, replacing that device's earlier
patch for the same base. Several devices = heterogeneous: the last one is patched now, the
others must already have patches at this base in --onto; hetero.txt gains the combination.
Your work tree, index, HEAD and current branch are not touched.

${DEVICE_HELP}
  --base-commit-id REV        the upstream commit adapted; default: "baseCommit" of the config
  --current-commit-id REV     the vendor commit; default HEAD
  --onto REV                  parent of the submission commit; default: the base. It must
                              hold the base (refused otherwise: upstream would lack it)
  --json                      print the result as one JSON object (see the README)`,
    flags: { 'device-type': 'list', 'base-commit-id': 'string', 'current-commit-id': 'string', onto: 'string', json: 'boolean' },
    positionals: 0,
    async run(flags, _pos, out) {
      const { patch } = await import('../commands/patch.js');
      const r = await patch({
        ...out.at,
        deviceTypes: flags['device-type'] as string[] | undefined,
        baseCommitId: flags['base-commit-id'] as string | undefined,
        currentCommitId: flags['current-commit-id'] as string | undefined,
        onto: flags.onto as string | undefined,
      });
      if (out.json) return (printJson(out, 'patch', r), 0);
      out.log(`flagpatch: wrote ${escapeText(r.patchPath)} (${files(r.files)}, +${r.insertions} −${r.deletions}) for base ${r.base.slice(0, 12)}`);
      if (r.heteroUpdated) out.log(`flagpatch: hetero combination ${r.id}: ${r.devices.join(' ')} recorded`);
      out.log(`flagpatch: committed ${r.commit.slice(0, 12)} on branch ${r.branch} (parent ${r.onto.slice(0, 12)})`);
      out.log(`push it with: git push <remote> ${r.branch}`);
      return 0;
    },
  },
  unpatch: {
    summary: 'materialize the adapted tree(s) from the patches',
    usage: 'flagpatch unpatch --device-type DEV [DEV...] --commit-id ID [--dir DIR] [--force] [--json]',
    help: `With --dir, DIR/<DEV>/<name> becomes a git repository whose HEAD is the patch committed on
its base, with exactly the base tree plus the patch as files; the source repository gains
nothing. An existing DIR/<DEV>/<name> is replaced only when flagpatch made it and it holds no
uncommitted changes, or with --force. Several devices need --dir and a line of hetero.txt
listing them all at ID. Without --dir: a new branch <DEV>-<ID> here, checked out; refused
when the work tree has uncommitted changes.

${DEVICE_HELP}
  --commit-id ID              patch folder name, or a unique prefix of the base; default: the
                              configured "baseCommit"
  --dir DIR                   where to materialize (e.g. build)
  --force                     replace DIR/<DEV>/<name> even if flagpatch did not make it or it
                              holds changes
  --json                      print the result as one JSON object (see the README)`,
    flags: { 'device-type': 'list', 'commit-id': 'string', dir: 'string', force: 'boolean', json: 'boolean' },
    positionals: 0,
    async run(flags, _pos, out) {
      const { unpatch } = await import('../commands/unpatch.js');
      const r = await unpatch({
        ...out.at,
        deviceTypes: flags['device-type'] as string[] | undefined,
        commitId: flags['commit-id'] as string | undefined,
        dir: flags.dir as string | undefined,
        force: flags.force === true,
        onProgress: out.progress,
      });
      if (out.json) return (printJson(out, 'unpatch', r), 0);
      for (const t of r.trees) out.log(`flagpatch: ${t.device} at ${r.id} materialized in ${t.path} (branch ${t.branch}, HEAD ${t.head.slice(0, 12)})`);
      if (r.branch) out.log(`flagpatch: switched to new branch ${r.branch} (HEAD ${r.head!.slice(0, 12)}, base ${r.base.slice(0, 12)})`);
      return 0;
    },
  },
  check: {
    summary: 'validate hetero.txt and every patch (pre-push and CI)',
    usage: 'flagpatch check [REV] [--config-from TRUSTED [--allow-config-change]] [--json]',
    help: `Checks REV (default HEAD): hetero.txt parses; every device it lists has its patch at that ID;
every patch under the patch folder applies cleanly on its base; device names and folder layout
are valid; and where REV holds the configured device's vendor code, that device's patch is
fresh. Exit 0 when all hold, 1 with one line per violation and its fix.
REV is judged with the config it holds itself (never the work tree's copy). For pull requests
from others, --config-from judges it with a trusted revision's config instead.

  --config-from TRUSTED       judge with the config of TRUSTED (CI: the target branch); a REV
                              whose own config differs is a violation naming the changed keys
  --allow-config-change       with --config-from: accept a REV that changes the config
  --json                      print the result as one JSON object (see the README)`,
    flags: { json: 'boolean', 'config-from': 'string', 'allow-config-change': 'boolean' },
    positionals: 1,
    async run(flags, pos, out) {
      const { check } = await import('../commands/check.js');
      if (flags['allow-config-change'] && !flags['config-from']) throw new UsageError('--allow-config-change needs --config-from', 'pass --config-from <trusted revision>, e.g. origin/main');
      const r = await check({ ...out.at, rev: pos[0], configFrom: flags['config-from'] as string | undefined, allowConfigChange: flags['allow-config-change'] === true });
      if (out.json) return (printJson(out, 'check', r), r.ok ? 0 : 1);
      const at = `${escapeText(r.rev)} (${r.commit.slice(0, 12)})${r.configFrom !== r.rev ? ` with the config of ${escapeText(r.configFrom)}` : ''}`;
      if (r.ok) {
        const n = r.patches.length;
        out.log(`flagpatch check: ${at}: ok (${n} patch${n === 1 ? ' applies' : 'es apply'}, every hetero combination complete)`);
        return 0;
      }
      const n = r.violations.length + r.omitted;
      out.log(`flagpatch check: ${at}: ${n} problem${n === 1 ? '' : 's'}`);
      for (const line of renderProblems(out, r.violations, r.omitted)) out.log(line);
      return 1;
    },
  },
  rebase: {
    summary: 'carry a patch to a new upstream base (fork: one merge commit)',
    usage:
      'flagpatch rebase --onto REV [--drop-old] [--allow-older] | --continue | --abort\n       flagpatch rebase --device-type DEV --commit-id ID --onto REV [--dir DIR] [--force] [--json]\n       flagpatch rebase --continue --device-type DEV --dir DIR [--json]',
    help: `In a fork (deviceType and baseCommit configured), --onto REV merges REV into HEAD as one
merge commit (parents HEAD and REV; no history is rewritten). The config's baseCommit becomes
the full sha of REV, the patch <patchDir>/<DEV>/<REV id>/<REV id>.patch is written fresh, the
old base's patch stays (unless --drop-old); upstream's patches of other devices and hetero.txt
lines merge in without conflicts. REV = the current base: nothing to do (exit 0). Refused on
uncommitted changes (nothing is touched). Vendor code conflicts stop it like git merge:
resolve the markers, git add, then --continue (or a plain git commit, whose hook writes the
patch); --abort puts HEAD, index and work tree back exactly, also after an interruption.
Once git itself finished or dropped the merge (git commit, git merge --abort, git reset
--hard), the state left in .git/flagpatch-rebase is stale: the post-commit hook or the next
rebase command removes it and says so; --abort then touches nothing else, so commits made
since stay.

Without a fork, --device-type DEV --commit-id ID --onto REV carries the committed patch ID
from its base to REV by a three-way merge on temporary indexes (your work tree, index and
branches untouched). Clean: the submission commit on branch flagpatch/<DEV> (parent REV,
REV's tree plus the new patch), as patch --onto REV makes it. Conflicts: exit 1, each file
with the lines of REV's version its conflicting hunks cover. With --dir DIR, DIR/<DEV>/<name>
becomes a repository at REV holding the merge with conflict markers: resolve and commit
there, then "flagpatch rebase --continue --device-type DEV --dir DIR" makes the submission.

  --onto REV                  the upstream commit to move to. It must be upstream's: every
                              commit both REV and HEAD hold must be in the current base's
                              history, so REV may not be in HEAD's history (newer than the
                              base: a fork commit, e.g. origin/main) nor hold any fork
                              commit (HEAD or a branch built on the fork); refused otherwise
  --drop-old                  fork: remove the old base's patch
  --allow-older               accept a REV older than the current base (an ancestor of it)
  --continue                  finish after resolving (fork; or with --dir: from DIR/<DEV>/<name>)
  --abort                     fork: undo a stopped or interrupted rebase (a stale one: only
                              remove its state)
${DEVICE_HELP}
  --commit-id ID              without a fork: the patch folder name (or a unique prefix)
  --dir DIR                   without a fork: where to put the tree to resolve conflicts in
  --force                     replace DIR/<DEV>/<name> even if flagpatch did not make it
  --json                      print the result as one JSON object (see the README)`,
    flags: {
      onto: 'string',
      'drop-old': 'boolean',
      'allow-older': 'boolean',
      continue: 'boolean',
      abort: 'boolean',
      'device-type': 'string',
      'commit-id': 'string',
      dir: 'string',
      force: 'boolean',
      json: 'boolean',
    },
    positionals: 0,
    async run(flags, _pos, out) {
      const [{ rebase }, { rebaseLines }] = await Promise.all([import('../commands/rebase.js'), import('./render-upstream.js')]);
      const r = await rebase({
        ...out.at,
        onto: flags.onto as string | undefined,
        deviceType: flags['device-type'] as string | undefined,
        commitId: flags['commit-id'] as string | undefined,
        dir: flags.dir as string | undefined,
        force: flags.force === true,
        dropOld: flags['drop-old'] === true,
        allowOlder: flags['allow-older'] === true,
        continue: flags.continue === true,
        abort: flags.abort === true,
      });
      const { lines, code } = rebaseLines(r, flags.dir as string | undefined);
      if (out.json) return (printJson(out, 'rebase', r), code);
      for (const l of lines) out.log(l.startsWith('✗') ? `${paint(out, 'red', '✗')}${l.slice(1)}` : l);
      return code;
    },
  },
  impact: {
    summary: "upstream: what a change does to each vendor's patch",
    usage: 'flagpatch impact [REV] [--since OLD] [--first-bad] [--json | --markdown]',
    help: `For every device's newest patch (latest base commit date) and every hetero.txt combination,
whether it carries from its base to REV (default HEAD): applies (plain apply works), merges
(three-way merge is clean), conflicts (files and the lines of REV's version), base-missing
(the repository lacks the base), or invalid (the patch does not apply on its own base). A
combination carries when all its devices' patches do. Nothing is written to the repository.
Exit 0 (a report), except with --since.

In a vendor fork (HEAD's config names deviceType and baseCommit), without --since: only the
fork's own patch (HEAD's, for the configured base) is judged against REV, e.g.
"npx --no-install flagpatch impact upstream/main" after git fetch upstream; exit 1 when it does
not carry, with the rebase that stops at the conflicts as the fix.

  --since OLD                 pull request mode: read the patches from OLD (the target branch)
                              and exit 1 only for those that carried to OLD and not to REV,
                              one line per device with the file and the fix
  --first-bad                 for each patch that conflicts, bisect the first-parent path from
                              its base (or OLD) to REV and name the first commit it breaks at
  --json                      print the result as one JSON object (see the README)
  --markdown                  a Markdown table, e.g. for $GITHUB_STEP_SUMMARY`,
    flags: { since: 'string', 'first-bad': 'boolean', json: 'boolean', markdown: 'boolean' },
    positionals: 1,
    async run(flags, pos, out) {
      if (flags.json && flags.markdown) throw new UsageError('impact: --json and --markdown exclude each other', 'pass one of them');
      const [{ impact }, render] = await Promise.all([import('../commands/impact.js'), import('./render-upstream.js')]);
      const r = await impact({ ...out.at, rev: pos[0], since: flags.since as string | undefined, firstBad: flags['first-bad'] === true });
      const code = r.ok ? 0 : 1;
      if (out.json) return (printJson(out, 'impact', r), code);
      if (flags.markdown) return (out.log(render.impactMarkdown(r).trimEnd()), code);
      for (const l of render.impactLines(r)) out.log(l.startsWith('✗') ? `${paint(out, 'red', '✗')}${l.slice(1)}` : l);
      return code;
    },
  },
  status: {
    summary: 'one row per patch: device, ID, base, size, hetero, state',
    usage: 'flagpatch status [--json]',
    help: `One row per patch of HEAD: device, ID, base (short sha and date), files changed, lines +/−,
the hetero combinations it belongs to, and its state: fresh, stale (does not match this
fork's vendor code) or does-not-apply. Patches of other devices, which this tree holds no
code for, are fresh when they apply cleanly.

  --json                      print { "version": 1, "command": "status", "patches": [...] }`,
    flags: { json: 'boolean' },
    positionals: 0,
    async run(_flags, _pos, out) {
      const { status } = await import('../commands/status.js');
      const r = await status(out.at);
      if (out.json) return (printJson(out, 'status', { patches: r.patches }), 0);
      if (r.patches.length === 0) return (out.log('flagpatch status: no patches'), 0);
      out.log(statusTable(out, r.patches));
      return 0;
    },
  },
  init: {
    summary: 'make this fork ready: config, hetero.txt, hooks, package.json',
    usage: 'flagpatch init --device-type DEV --base-commit-id REV',
    help: `Run once at the root of a fork. Writes .flagpatchrc.json (device and the full sha of the
base), hetero.txt (if absent), the hook scripts in hooks/, and package.json (created or
merged: dev dependencies flagpatch and lint-staged, "prepare": "flagpatch hook install",
scripts patch, unpatch and check); adds the integration files the base lacks (package.json,
package-lock.json) to "exclude"; and wires this clone at once (flagpatch hook install:
core.hooksPath = hooks, merge driver, node_modules and /build/ in .git/info/exclude — no base
file such as .gitignore is edited). The base must be an ancestor of HEAD. A second run
changes nothing; one with another device or base says what changed.

  --device-type DEV           this fork's device, e.g. A_X100
  --base-commit-id REV        the upstream commit the fork adapts`,
    flags: { 'device-type': 'string', 'base-commit-id': 'string' },
    positionals: 0,
    async run(flags, _pos, out) {
      const { init } = await import('../commands/init.js');
      const r = await init({ ...out.at, deviceType: flags['device-type'] as string | undefined, baseCommitId: flags['base-commit-id'] as string | undefined });
      for (const f of r.ownedInBase) out.err(`flagpatch init: warning: the base has ${f}, which flagpatch owns (its hook scripts live there): vendor edits under ${f} never reach the patch`);
      if (r.written.length === 0 && !r.wired) return (out.log('flagpatch init: already set up; nothing changed'), 0);
      for (const c of r.changed) out.log(`flagpatch init: ${c.key} changed: ${c.key === 'baseCommit' ? `${c.from.slice(0, 12)} → ${c.to.slice(0, 12)}` : `${c.from} → ${c.to}`}`);
      if (r.patchPaths) out.log(`flagpatch init: the next commit writes ${r.patchPaths.next}; ${r.patchPaths.kept} stays (git rm it when no one needs that base)`);
      for (const f of r.written) out.log(`flagpatch init: wrote ${f}`);
      if (r.excluded.length && r.written.includes('.flagpatchrc.json')) out.log(`flagpatch init: excluded from the patch (the base lacks them): ${r.excluded.join(', ')}`);
      if (r.wired) out.log('flagpatch init: hooks wired (core.hooksPath = hooks; merge driver for patch files and the hetero file)');
      out.log('next: npm install, then commit as usual; every commit refreshes the patch');
      return 0;
    },
  },
  refresh: {
    summary: "regenerate and stage this fork's patch (what pre-commit runs)",
    usage: 'flagpatch refresh [--amend]',
    help: `Regenerates the configured device's patch from the base to the tree in the index
(GIT_INDEX_FILE when git sets it) and stages it there, writing the patch file in the work
tree. An empty diff removes the patch; an unchanged patch is not rewritten. Prints one line
when the patch changed. Does nothing when no device is configured. Refused while paths are
unmerged: resolve them first.

  --amend                     make HEAD's patch fresh for HEAD's tree instead, and when that
                              changes it, replace HEAD by the same commit (author, message,
                              parents kept) with the fresh patch; the rest of the index is
                              left as it is. For commits no hook refreshed (a cherry-pick of
                              several commits, a rebase with the hooks off), each of them:
                                git rebase -x 'npx --no-install flagpatch refresh --amend' <upstream>`,
    flags: { amend: 'boolean' },
    positionals: 0,
    async run(flags, _pos, out) {
      if (flags.amend === true) {
        const { refreshAmend } = await import('../history/amend.js');
        printAmend(out, await refreshAmend(out.at));
        return 0;
      }
      const { refresh } = await import('../commands/refresh.js');
      printRefresh(out, await refresh(out.at));
      return 0;
    },
  },
  hook: {
    summary: 'what the git hooks run: hook pre-commit | pre-push | pre-rebase | post-merge | post-commit | post-rewrite | install',
    usage: 'flagpatch hook pre-commit | pre-push <remote> <url> | pre-rebase <upstream> [<branch>] | post-merge <squash> | post-commit | post-rewrite <kind> | install',
    help: `Run by the scripts in hooks/ (git runs them: core.hooksPath = hooks), not by hand.
pre-commit: lint-staged (when configured), then refresh. pre-push: reads git's ref lines on
stdin and runs check on every pushed tip; a violation stops the push. post-merge: a merge
git completed itself is amended with the fresh patch (refresh --amend). post-commit (after a
cherry-pick or revert of one commit): the same. post-rewrite (after a rebase; git's old and
new ids on stdin): every rewritten commit gets its fresh patch and the branch moves to the
new tip, with every other branch on a rewritten commit (git rebase --update-refs). pre-rebase: refuses a rebase that would flatten a base move (the merge commit of
flagpatch rebase --onto) unless it keeps merges (--rebase-merges). All do nothing with FLAGPATCH_SKIP=1 or HUSKY=0, or where no device is configured.
Every script in hooks/ then runs the clone's own hook of its name (.git/hooks, or the
core.hooksPath install replaced) with the same arguments and input.
install: what a fork's "prepare" script runs on npm install: core.hooksPath = hooks, the
merge driver that keeps patch files and hetero.txt free of conflicts (.git/info/attributes),
and node_modules and /build/ in .git/info/exclude. Never fails an npm install.`,
    flags: {},
    positionals: 3,
    async run(_flags, pos, out) {
      if (pos[0] === 'pre-commit') {
        const { preCommit } = await import('../hooks/pre-commit.js');
        printRefresh(out, await preCommit(out.at));
        return 0;
      }
      if (pos[0] === 'pre-push') {
        const { prePush } = await import('../hooks/pre-push.js');
        const r = await prePush({ ...out.at, input: await out.stdin() });
        for (const c of r.checks) {
          if (c.violations.length === 0) continue;
          const n = c.violations.length + c.omitted;
          out.err(`flagpatch: push refused: ${escapeText(c.refs.join(', '))} (${c.commit.slice(0, 12)}) has ${n} problem${n === 1 ? '' : 's'}`);
          for (const line of renderProblems(out, c.violations, c.omitted)) out.err(line);
        }
        const marked = r.markers.map((m) => ({
          where: `${m.path} in ${m.commit.slice(0, 12)}`,
          problem: `holds conflict markers at line ${m.line} (a pushed commit below the tip)`,
          fix: `refresh every commit from there: git rebase -x 'npx --no-install flagpatch refresh --amend' ${m.commit.slice(0, 12)}^`,
        }));
        for (const line of renderProblems(out, marked)) out.err(line);
        if (!r.ok) out.err('flagpatch: fix these and push again (FLAGPATCH_SKIP=1 skips the check)');
        return r.ok ? 0 : 1;
      }
      if (pos[0] === 'post-merge' || pos[0] === 'post-commit') {
        const { postMerge, postCommit } = await import('../hooks/history.js');
        printAmend(out, pos[0] === 'post-merge' ? await postMerge({ ...out.at, squash: pos[1] === '1' }) : await postCommit(out.at));
        return 0;
      }
      if (pos[0] === 'post-rewrite') {
        const { postRewrite } = await import('../hooks/history.js');
        const r = await postRewrite({ ...out.at, kind: pos[1] ?? '', input: await out.stdin() });
        if (r.commit)
          out.log(
            `flagpatch: ${r.refreshed} rebased commit${r.refreshed === 1 ? '' : 's'} now hold${r.refreshed === 1 ? 's' : ''} a fresh ${r.patchPath}; HEAD ${r.replaced!.slice(0, 12)} → ${r.commit.slice(0, 12)}`,
          );
        for (const b of r.branches ?? []) out.log(`flagpatch: branch ${escapeText(b.name)} ${b.from.slice(0, 12)} → ${b.to.slice(0, 12)} (its commits hold the fresh patch too)`);
        for (const b of r.stale ?? [])
          out.err(
            `flagpatch: branch ${escapeText(b.name)} is checked out in ${escapeText(b.worktree)} and left on ${b.from.slice(0, 12)}, whose patch is stale; there: git reset --keep ${b.to.slice(0, 12)}`,
          );
        return 0;
      }
      if (pos[0] === 'pre-rebase') {
        const { preRebase } = await import('../hooks/pre-rebase.js');
        await preRebase({ ...out.at, upstream: pos[1] ?? '', branch: pos[2] });
        return 0;
      }
      if (pos[0] === 'install') {
        const { installHooks } = await import('../hooks/install.js');
        const r = await installHooks(out.at);
        if (r.changed.length) out.log(`flagpatch: hooks wired (core.hooksPath = hooks; merge driver for patch files and the hetero file)`);
        if (r.replaced)
          out.log(
            `flagpatch: core.hooksPath was ${escapeText(r.replaced)}: git no longer runs its hooks itself; the scripts in hooks/ run the ones of their names after their own work (git config flagpatch.chainedHooksPath)`,
          );
        return 0;
      }
      throw new UsageError(`hook: unknown hook ${JSON.stringify(pos[0] ?? '')}`, 'use flagpatch hook pre-commit, pre-push, pre-rebase, post-merge, post-commit, post-rewrite or install');
    },
  },
};

function printAmend(out: Output, r: AmendResult): void {
  if (r.note) out.err(r.note);
  if (!r.commit) return;
  const file = escapeText(r.patchPath ?? '');
  const what = r.action === 'removed' ? `removed ${file} (no vendor changes left)` : `updated ${file} (${files(r.files)}, +${r.insertions} −${r.deletions})`;
  out.log(`flagpatch: ${what}; amended ${r.replaced!.slice(0, 12)} → ${r.commit.slice(0, 12)}`);
}

function printRefresh(out: Output, r: RefreshResult): void {
  if (r.action === 'updated') out.log(`flagpatch: updated ${escapeText(r.patchPath!)} (${files(r.files)}, +${r.insertions} −${r.deletions})`);
  else if (r.action === 'removed') out.log(`flagpatch: removed ${escapeText(r.patchPath!)} (no vendor changes left)`);
}

/** Version of the --json shape: bumped when a field changes meaning or disappears. */
export const JSON_VERSION = 1;

/**
 * Every --json output is one object: `{ "version": 1, "command": "<name>", ...fields }`, and on
 * failure `{ "version": 1, "command": "<name>", "error": { "where", "problem", "fix", "exitCode" } }`.
 */
/** `1 file`, `12 files`. */
function files(n: number | undefined): string {
  return `${n} file${n === 1 ? '' : 's'}`;
}

export function printJson(out: Output, command: string, body: object): void {
  out.log(JSON.stringify({ version: JSON_VERSION, command, ...body }, null, 2));
}
