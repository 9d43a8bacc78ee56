// Text from other people's commits (file names, subjects, trailers, hetero.txt, config keys)
// is printed escaped: no control character reaches the terminal or a CI log, so a name can
// neither start a line of its own (no forged "flagpatch check: ok", no GitHub Actions
// "::workflow-command::") nor rewrite the screen with escape sequences. --json needs none of
// this: JSON escapes what it must and keeps the exact names.

// C0 and C1 controls, DEL, and the Unicode line separators and direction overrides that can
// make text look like something else.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/gu;

/** `text` with every unsafe character written as an escape (`\n`, `\x1b`, `\u202e`). */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A line safe to print in a CI log: GitHub Actions runs any line that starts with "::" (after
 * spaces) as a workflow command, so such a line gets a visible escape for its first colon.
 */
export function safeLine(line: string): string {
  const lead = line.length - line.trimStart().length;
  return line.startsWith('::', lead) ? `${line.slice(0, lead)}\\x3a${line.slice(lead + 1)}` : line;
}
