// What `rebase` and `impact` print: plain lines for a terminal or a CI log, and a Markdown
// table for a CI job summary. File names and commit subjects come from commits and may be
// hostile: they go through escapeText() (src/text.ts) or markdown().
import type { ImpactResult, PatchImpact } from '../commands/impact.js';
import type { RebasedFork } from '../commands/rebase-fork.js';
import type { RebasedPatch } from '../commands/rebase.js';
import type { ConflictedFile } from '../patch/carry.js';
import { escapeText as printable } from '../text.js';

/** For a Markdown table cell: escaped, with every character Markdown or HTML could act on escaped too. */
export function markdown(text: string): string {
  return printable(text).replace(/[\\`*_{}[\]<>()#+\-.!|~@&:]/g, (c) => `\\${c}`);
}

const short = (sha: string) => sha.slice(0, 12);

/** `flagscale/train.py lines 3-5, 9` or `tools/run.sh (modify/delete)`. */
export function where(c: ConflictedFile, esc: (s: string) => string = printable): string {
  const lines = c.lines.map((l) => (l.start === l.end ? `${l.start}` : `${l.start}-${l.end}`));
  const kind = c.kind === 'content' ? '' : ` (${esc(c.kind)})`;
  return `${esc(c.path)}${lines.length ? ` line${lines.length === 1 && !lines[0].includes('-') ? '' : 's'} ${lines.join(', ')}` : ''}${kind}`;
}

export function rebaseLines(r: RebasedPatch | RebasedFork, dir: string | undefined): { lines: string[]; code: number } {
  const out: string[] = [];
  if (r.mode === 'fork') {
    const at = r.ontoName === short(r.onto) ? r.ontoName : `${printable(r.ontoName)} (${short(r.onto)})`;
    if (r.state === 'aborted') return { lines: [`flagpatch rebase: aborted; HEAD, index and work tree are back at ${short(r.head)}`], code: 0 };
    if (r.state === 'cleared') return { lines: [`flagpatch rebase: nothing to abort: ${printable(r.cleared ?? '')}; removed the rebase state, HEAD, index and work tree are as they were`], code: 0 };
    if (r.cleared) out.push(`flagpatch rebase: removed the state of an earlier rebase: ${printable(r.cleared)}`);
    if (r.state === 'current') {
      out.push(`flagpatch rebase: nothing to do: ${r.configFile} is already based on ${at}`);
      return { lines: out, code: 0 };
    }
    if (r.state === 'conflicts') {
      out.push(`flagpatch rebase: merging upstream ${at} stopped: ${r.conflicts.length} vendor file${r.conflicts.length === 1 ? '' : 's'} conflict`);
      for (const c of r.conflicts) out.push(`✗ ${where(c)}`);
      out.push(`  ${r.configFile} already names ${short(r.onto)}; ${r.patchPath} is written when you commit`);
      out.push(
        '  fix: resolve the conflict markers, `git add` the files, then `npx --no-install flagpatch rebase --continue` (or `git commit`); `npx --no-install flagpatch rebase --abort` puts everything back',
      );
      return { lines: out, code: 1 };
    }
    const how = r.state === 'committed' ? 'was committed (by git commit)' : `committed ${short(r.commit!)}`;
    out.push(`flagpatch rebase: merged upstream ${at}: ${how}, parents ${short(r.head)} and ${short(r.onto)}`);
    if (r.files !== undefined) out.push(`flagpatch rebase: wrote ${r.patchPath} (${r.files} files, +${r.insertions} −${r.deletions}); ${r.configFile} baseCommit = ${r.onto}`);
    else out.push(`flagpatch rebase: no vendor changes are left on ${short(r.onto)}: no ${r.patchPath}; ${r.configFile} baseCommit = ${r.onto}`);
    out.push(r.droppedOld ? `flagpatch rebase: removed ${r.oldPatchPath} (--drop-old)` : `flagpatch rebase: kept ${r.oldPatchPath} for the old base`);
    if (r.resolved.length) out.push(`flagpatch rebase: merged without conflicts: ${r.resolved.map(printable).join(', ')}`);
    out.push('next: git push (the merge rewrites no history)');
    return { lines: out, code: 0 };
  }
  const from = `${r.device}'s patch ${r.id}`;
  if (r.state === 'conflicts') {
    out.push(`flagpatch rebase: ${from} conflicts with ${short(r.onto)} in ${r.conflicts.length} file${r.conflicts.length === 1 ? '' : 's'}`);
    for (const c of r.conflicts) out.push(`✗ ${where(c)}`);
    if (r.tree) {
      out.push(`  the merge, with conflict markers, is in ${printable(r.tree)} (HEAD = ${short(r.onto)})`);
      out.push(`  fix: resolve there and commit (git add -A && git commit -m "Resolve conflicts"), then run: flagpatch rebase --continue --device-type ${r.device} --dir ${printable(dir ?? 'DIR')}`);
    } else {
      out.push(`  fix: pass --dir build to get a tree holding the merge to resolve, or ask vendor ${r.device}`);
    }
    return { lines: out, code: 1 };
  }
  const how = r.state === 'applies' ? 'applies as it is' : r.state === 'merges' ? 'merges three-way' : 'resolved';
  out.push(`flagpatch rebase: ${from} ${how} on ${short(r.onto)}`);
  out.push(`flagpatch: wrote ${r.newPatchPath} (${r.files} files, +${r.insertions} −${r.deletions}) for base ${short(r.onto)}`);
  out.push(`flagpatch: committed ${short(r.commit!)} on branch ${r.branch} (parent ${short(r.onto)})`);
  out.push(`push it with: git push <remote> ${r.branch}`);
  return { lines: out, code: 0 };
}

function stateText(p: PatchImpact, esc = printable): string {
  if (p.state === 'conflicts') return `conflicts: ${p.conflicts.map((c) => where(c, esc)).join('; ')}`;
  if (p.state === 'merges') return 'merges (three-way)';
  if (p.problem) return `${p.state}: ${esc(p.problem)}`;
  return p.state;
}

/** What to do about a broken patch: in the device's own fork, rebase and resolve; upstream, tell the vendor. */
function fixFor(r: ImpactResult, p: PatchImpact, esc: (s: string) => string): string {
  const file = p.conflicts[0]?.path;
  if (r.fork?.device === p.device) {
    return `npx --no-install flagpatch rebase --onto ${esc(r.rev)} stops at ${file ? esc(file) : 'the conflicts'} for you to resolve (then git add and npx --no-install flagpatch rebase --continue)`;
  }
  return `tell vendor ${esc(p.device)}, or adjust ${file ? esc(file) : 'the change'}`;
}

export function impactLines(r: ImpactResult): string[] {
  const out: string[] = [];
  const head = r.since ? `${printable(r.since.rev)} (${short(r.since.commit)}) → ${printable(r.rev)} (${short(r.commit)})` : `${printable(r.rev)} (${short(r.commit)})`;
  if (r.fork?.own) {
    out.push(`flagpatch impact: ${r.fork.device}'s patch in this fork (HEAD ${short(r.fork.head ?? '')}) → ${head}`);
    if (!r.patches.length) out.push(`flagpatch impact: HEAD holds no ${r.fork.device} patch for its configured base: nothing to carry`);
  } else {
    out.push(`flagpatch impact: ${head}: ${r.patches.length} patch${r.patches.length === 1 ? '' : 'es'}, ${r.combinations.length} combination${r.combinations.length === 1 ? '' : 's'}`);
  }
  const rows = r.patches.map((p) => [p.device, p.id, p.base ? `base ${short(p.base)} ${p.baseDate}` : 'base ?', `${r.since ? `${p.since ?? '-'} → ` : ''}${stateText(p)}`]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((c) => c[i].length)));
  for (const [i, c] of rows.entries()) {
    out.push(c.map((v, j) => (j < 3 ? v.padEnd(widths[j]) : v)).join('  '));
    const fb = r.patches[i].firstBad;
    if (fb) out.push(`    first bad: ${fb.commit.slice(0, 7)} ${printable(fb.subject)}${fb.merges ? ` (${fb.merges} merge${fb.merges === 1 ? '' : 's'} to find it)` : ''}`);
  }
  for (const c of r.combinations) {
    out.push(`combination ${c.id}: ${c.devices.join(' ')}  ${c.state}${c.failing.length ? ` (${c.failing.join(', ')})` : ''}`);
  }
  if (r.since || r.fork?.own) {
    for (const p of r.broken) {
      out.push(
        `✗ ${p.device}: ${p.path} ${r.since ? `carried to ${printable(r.since.rev)}, ` : ''}${p.state} at ${printable(r.rev)}${p.conflicts.length ? `: ${p.conflicts.map((c) => where(c)).join('; ')}` : p.problem ? `: ${printable(p.problem)}` : ''}`,
      );
      out.push(`    fix: ${fixFor(r, p, printable)}`);
    }
    if (r.fork?.own) {
      const p = r.patches[0];
      if (r.ok && p) out.push(`flagpatch impact: ok: ${r.fork.device}'s patch carries to ${printable(r.rev)} (${p.state}); next: npx --no-install flagpatch rebase --onto ${printable(r.rev)}`);
      else if (!r.ok) out.push(`flagpatch impact: ${r.fork.device}'s patch does not carry to ${printable(r.rev)}`);
    } else {
      out.push(
        r.ok
          ? `flagpatch impact: ok: no patch that carried to ${printable(r.since!.rev)} is broken`
          : `flagpatch impact: ${r.broken.length} patch${r.broken.length === 1 ? '' : 'es'} broken by this change`,
      );
    }
  }
  return out;
}

export function impactMarkdown(r: ImpactResult): string {
  const icon = (s: string) => (s === 'applies' ? '✅' : s === 'merges' ? '🟡' : '❌');
  const out: string[] = [];
  out.push(`### flagpatch impact: ${markdown(r.rev)} (${short(r.commit)})${r.since ? ` since ${markdown(r.since.rev)} (${short(r.since.commit)})` : ''}`);
  out.push('');
  if (r.since)
    out.push(r.ok ? `**OK**: no vendor patch that carried to ${markdown(r.since.rev)} is broken.` : `**${r.broken.length} vendor patch${r.broken.length === 1 ? '' : 'es'} broken by this change.**`);
  out.push('');
  out.push(`| Device | Patch | Base |${r.since ? ' Before |' : ''} State | Where | First bad |`);
  out.push(`|---|---|---|${r.since ? '---|' : ''}---|---|---|`);
  for (const p of r.patches) {
    const whereCell = p.conflicts.map((c) => where(c, markdown)).join('<br>') || (p.problem ? markdown(p.problem) : '');
    const fb = p.firstBad ? `${p.firstBad.commit.slice(0, 7)} ${markdown(p.firstBad.subject)}` : '';
    const before = r.since ? ` ${p.since ? `${icon(p.since)} ${p.since}` : '-'} |` : '';
    out.push(
      `| ${markdown(p.device)} | ${p.id} | ${p.base ? `${short(p.base)} ${p.baseDate}` : '?'} |${before} ${icon(p.state)} ${p.state}${p.broken ? ' (broken here)' : ''} | ${whereCell} | ${fb} |`,
    );
  }
  if (r.combinations.length) {
    out.push('');
    out.push('| Combination | Devices | State |');
    out.push('|---|---|---|');
    for (const c of r.combinations) out.push(`| ${c.id} | ${c.devices.map(markdown).join(' ')} | ${icon(c.state)} ${c.state}${c.failing.length ? ` (${c.failing.map(markdown).join(', ')})` : ''} |`);
  }
  if ((r.since || r.fork?.own) && r.broken.length) {
    out.push('');
    for (const p of r.broken) out.push(`- ${markdown(p.device)}: ${fixFor(r, p, markdown)}`);
  }
  return `${out.join('\n')}\n`;
}
