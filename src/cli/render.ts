// How results and errors read: the one renderer for check, the pre-push hook, status and every
// refusal. Library code returns data (where, problem, fix); only this module turns it into
// text, and every value that may come from someone else's commit is escaped here.
import type { Problem } from '../errors.js';
import { FlagpatchError, GitError } from '../errors.js';
import type { PatchReport } from '../inspect.js';
import { LIMITS } from '../limits.js';
import { escapeText as e } from '../text.js';

export interface Style {
  color: boolean;
}

export function paint(style: Style, color: 'red' | 'green', text: string): string {
  if (!style.color) return text;
  return `\x1b[${color === 'red' ? 31 : 32}m${text}\x1b[39m`;
}

/** One problem: `✗ where: problem` and its fix on the next line. */
export function renderProblem(style: Style, p: Problem): string {
  const head = `${paint(style, 'red', '✗')} ${p.where ? `${e(p.where)}: ` : ''}${e(p.problem)}`;
  return p.fix ? `${head}\n    fix: ${e(p.fix)}` : head;
}

/**
 * A list of problems, at most LIMITS.printedProblems of them; the rest (and `omitted`, those
 * not even collected) are counted, so hostile input cannot flood a terminal or a CI log.
 */
export function renderProblems(style: Style, problems: readonly Problem[], omitted = 0): string[] {
  const shown = problems.slice(0, LIMITS.printedProblems).map((p) => renderProblem(style, p));
  const rest = problems.length - shown.length + omitted;
  if (rest > 0) shown.push(`… and ${rest} more problem${rest === 1 ? '' : 's'} (--json lists the first ${LIMITS.problems} of each kind)`);
  return shown;
}

/** The lines of an error for stderr: what went wrong, then how to fix it. */
export function renderError(style: Style, err: unknown, debug: boolean): string[] {
  if (err instanceof FlagpatchError) {
    const lines = [`flagpatch: ${paint(style, 'red', 'error')}: ${err.where ? `${e(err.where)}: ` : ''}${e(err.problem)}`];
    for (const d of err.details.slice(0, LIMITS.printedProblems)) lines.push(`  - ${e(d)}`);
    if (err.details.length > LIMITS.printedProblems) lines.push(`  … and ${err.details.length - LIMITS.printedProblems} more`);
    if (err.fix) lines.push(`  fix: ${e(err.fix)}`);
    if (debug) lines.push(err.stack ?? '');
    return lines;
  }
  if (err instanceof GitError && /tell me who you are|empty ident/i.test(err.stderr)) {
    return ['flagpatch: error: git does not know who you are, so it cannot write the commit', '  fix: git config --global user.name "Your Name" && git config --global user.email you@example.com'];
  }
  const message = err instanceof Error ? err.message : String(err);
  return [`flagpatch: internal error: ${e(message)}`, debug ? ((err as Error).stack ?? '') : '  this is a bug in flagpatch: rerun with FLAGPATCH_DEBUG=1 and report the output'];
}

/** The error as JSON, for --json callers. */
export function errorJson(err: unknown): object {
  if (err instanceof FlagpatchError) return { error: { where: err.where, problem: err.problem, details: err.details.length ? err.details : undefined, fix: err.fix, exitCode: err.exitCode } };
  return { error: { problem: err instanceof Error ? err.message : String(err), exitCode: 1 } };
}

/** The status table: one row per patch; every column padded, the last one coloured. */
export function statusTable(style: Style, rows: readonly PatchReport[]): string {
  const cells = rows.map((p) =>
    [p.device, p.id, p.base ? `${p.base.slice(0, 12)} ${p.baseDate}` : '?', String(p.files), `+${p.insertions} −${p.deletions}`, p.combinations.map((c) => c.join('+')).join(', ') || '-', p.state].map(
      e,
    ),
  );
  const head = ['DEVICE', 'ID', 'BASE', 'FILES', 'LINES', 'HETERO', 'STATE'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const pad = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  const state = (s: string) => (s === 'fresh' ? paint(style, 'green', s) : paint(style, 'red', s));
  return [pad(head), ...cells.map((c) => pad([...c.slice(0, 6), state(c[6])]))].join('\n');
}
