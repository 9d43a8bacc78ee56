// Reads a patch file: a mailbox of one or more messages (legacy `git format-patch` output has
// many), or a bare `git diff`. Every file diff is checked before git ever sees it: paths must
// stay inside the tree (no absolute paths, no "..", nothing in .git, nothing through a symlink
// the patch creates), and hunks must be well formed. Only the validated diff bytes are
// handed to `git apply`, so text between file diffs can never smuggle in another patch.
import { PatchRefusedError } from '../errors.js';
import { TRAILER_BASE, TRAILER_DEVICE, decodeWords } from './format.js';
import { OID } from '../oid.js';

export interface FilePatch {
  oldPath: string | null;
  newPath: string | null;
  oldMode?: string;
  newMode?: string;
  binary: boolean;
  added: number;
  removed: number;
}

export interface PatchMessage {
  author?: { name: string; email: string };
  /** The `Date:` header as written. */
  date?: string;
  /** Subject without `[PATCH ...]`. */
  subject: string;
  body: string;
  /** The `Flagpatch-Base` / `Flagpatch-Device` trailers, when present. */
  base?: string;
  device?: string;
  /** Only the validated file diffs, ready for `git apply`. */
  diff: Buffer;
  files: FilePatch[];
}

const SEPARATOR_RE = new RegExp(`^From ${OID} `);
const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const MODE_RE = /^(100644|100755|120000|160000|100664)$/;

/** Parses and validates a patch file; `label` names it in messages. */
export function parsePatch(buf: Buffer, label: string): PatchMessage[] {
  // latin1 maps each byte to one char, so offsets in the text are offsets in the buffer.
  const text = buf.toString('latin1');
  const lines = splitLines(text);
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (SEPARATOR_RE.test(l.text)) starts.push(i);
  });
  if (starts.length === 0) starts.push(0);
  const messages: PatchMessage[] = [];
  const symlinks = new Set<string>();
  for (let m = 0; m < starts.length; m++) {
    const from = starts[m] + (SEPARATOR_RE.test(lines[starts[m]]?.text ?? '') ? 1 : 0);
    const to = m + 1 < starts.length ? starts[m + 1] : lines.length;
    messages.push(parseMessage(buf, lines.slice(from, to), label, symlinks, m + 1));
  }
  if (!messages.some((msg) => msg.files.length)) throw new PatchRefusedError(label, 'holds no file diff');
  return messages;
}

interface Line {
  text: string;
  start: number;
  /** Offset just past the line's newline. */
  end: number;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl + 1;
    out.push({ text: text.slice(pos, nl === -1 ? text.length : nl), start: pos, end });
    pos = end;
  }
  return out;
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

function parseMessage(buf: Buffer, lines: Line[], label: string, symlinks: Set<string>, index: number): PatchMessage {
  const where = (l: Line | undefined) => `${label}: message ${index}${l ? `, "${utf8(l.text).slice(0, 60)}"` : ''}`;
  let i = 0;
  const headers = new Map<string, string>();
  const firstDiff = lines.findIndex((l) => l.text.startsWith('diff --git '));
  // Mail headers, when the message has them (a bare diff has none).
  if (lines.length && /^[A-Za-z-]+: /.test(lines[0].text) && (firstDiff === -1 || firstDiff > 0)) {
    let last = '';
    for (; i < lines.length && lines[i].text.replace(/\r$/, '') !== ''; i++) {
      const t = lines[i].text.replace(/\r$/, '');
      if (/^[ \t]/.test(t) && last) headers.set(last, `${headers.get(last)} ${t.trim()}`);
      else {
        const c = t.indexOf(':');
        if (c <= 0) break;
        last = t.slice(0, c).toLowerCase();
        headers.set(last, t.slice(c + 1).trim());
      }
    }
  }
  const bodyEnd = firstDiff === -1 ? lines.length : firstDiff;
  const bodyLines: string[] = [];
  for (let j = i; j < bodyEnd; j++) {
    if (lines[j].text === '---') break;
    bodyLines.push(utf8(lines[j].text));
  }
  const body = bodyLines.join('\n').trim();
  const trailer = (key: string) => new RegExp(`^${key}:\\s*(\\S+)\\s*$`, 'm').exec(body)?.[1];
  const fromHeader = decodeWords(utf8(headers.get('from') ?? ''));
  const am = /^(.*?)\s*<([^>]*)>\s*$/.exec(fromHeader);
  const subject = decodeWords(utf8(headers.get('subject') ?? '')).replace(/^\[PATCH[^\]]*\]\s*/, '');

  const files: FilePatch[] = [];
  const chunks: Buffer[] = [];
  let j = firstDiff === -1 ? lines.length : firstDiff;
  while (j < lines.length) {
    const l = lines[j];
    if (l.text.startsWith('diff --git ')) {
      const start = l.start;
      const parsed = parseFileDiff(lines, j, (msg, at) => new PatchRefusedError(label, `${msg} (${where(at)})`));
      checkPaths(parsed.file, symlinks, (msg) => new PatchRefusedError(label, msg));
      files.push(parsed.file);
      chunks.push(buf.subarray(start, lines[parsed.next - 1].end));
      j = parsed.next;
    } else if (l.text === '-- ') {
      break; // mail signature: the rest is the git version or tool name
    } else if (l.text.replace(/\r$/, '').trim() === '') {
      j++;
    } else {
      throw new PatchRefusedError(label, `unexpected text between file diffs: "${utf8(l.text).slice(0, 60)}" (${where(undefined)})`);
    }
  }
  // Text after the signature must not hold another diff that some other tool might apply.
  if (lines.slice(j).some((l) => l.text.startsWith('diff --git ') || HUNK_RE.test(l.text))) {
    throw new PatchRefusedError(label, `a diff follows the signature "-- " (${where(undefined)})`);
  }
  return {
    author: am ? { name: am[1].replace(/^"(.*)"$/, '$1'), email: am[2] } : undefined,
    date: headers.get('date'),
    subject,
    body,
    base: trailer(TRAILER_BASE),
    device: trailer(TRAILER_DEVICE),
    diff: Buffer.concat(chunks),
    files,
  };
}

type Fail = (msg: string, at?: Line) => Error;

/** Parses one `diff --git` block starting at `lines[at]`; returns the file and the next index. */
function parseFileDiff(lines: Line[], at: number, fail: Fail): { file: FilePatch; next: number } {
  const head = lines[at];
  const names = splitGitLine(head.text.slice('diff --git '.length), fail, head);
  const file: FilePatch = { oldPath: null, newPath: null, binary: false, added: 0, removed: 0 };
  let oldName: string | null | undefined;
  let newName: string | null | undefined;
  let created = false;
  let deleted = false;
  let i = at + 1;
  const mode = (v: string, l: Line) => {
    if (!MODE_RE.test(v)) throw fail(`bad file mode ${JSON.stringify(v)}`, l);
    return v;
  };
  // Extended header lines.
  for (; i < lines.length; i++) {
    const l = lines[i];
    const t = l.text;
    let m: RegExpExecArray | null;
    if ((m = /^old mode (\S+)$/.exec(t))) file.oldMode = mode(m[1], l);
    else if ((m = /^new mode (\S+)$/.exec(t))) file.newMode = mode(m[1], l);
    else if ((m = /^deleted file mode (\S+)$/.exec(t))) (file.oldMode = mode(m[1], l)), (deleted = true);
    else if ((m = /^new file mode (\S+)$/.exec(t))) (file.newMode = mode(m[1], l)), (created = true);
    else if ((m = /^(rename|copy) from (.+)$/.exec(t))) oldName = unquote(m[2], fail, l);
    else if ((m = /^(rename|copy) to (.+)$/.exec(t))) newName = unquote(m[2], fail, l);
    else if (/^(dis)?similarity index \d+%$/.test(t)) continue;
    else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\S+))?$/.exec(t))) {
      if (m[3]) file.oldMode = file.newMode = mode(m[3], l);
    } else break;
  }
  if (i < lines.length && lines[i].text.startsWith('--- ')) {
    const minus = lines[i].text.slice(4);
    const plus = lines[i + 1]?.text;
    if (plus === undefined || !plus.startsWith('+++ ')) throw fail('"---" line without "+++" line', lines[i]);
    oldName ??= minus === '/dev/null' ? null : stripPrefix(unquote(minus.replace(/\t.*$/, ''), fail, lines[i]));
    newName ??= plus.slice(4) === '/dev/null' ? null : stripPrefix(unquote(plus.slice(4).replace(/\t.*$/, ''), fail, lines[i + 1]));
    i += 2;
    if (i >= lines.length || !HUNK_RE.test(lines[i].text)) throw fail('file diff without a hunk', lines[i - 1]);
    while (i < lines.length && lines[i].text.startsWith('@@')) i = parseHunk(lines, i, file, fail);
  } else if (i < lines.length && lines[i].text === 'GIT binary patch') {
    file.binary = true;
    i = parseBinary(lines, i + 1, fail);
  } else if (i < lines.length && lines[i].text.startsWith('Binary files ')) {
    throw fail('binary file without its data (made without --binary), so it cannot be applied', lines[i]);
  } else if (i < lines.length && !lines[i].text.startsWith('diff --git ') && lines[i].text !== '-- ' && lines[i].text.trim() !== '') {
    throw fail('unexpected line in a file diff header', lines[i]);
  }
  file.oldPath = deleted || !created ? (oldName ?? names?.[0] ?? null) : null;
  file.newPath = created || !deleted ? (newName ?? names?.[1] ?? null) : null;
  if (created && oldName) throw fail('a new file cannot have a source', head);
  if (file.oldPath === null && file.newPath === null) throw fail('file diff names no file', head);
  if ((!created && file.oldPath === null) || (!deleted && file.newPath === null)) throw fail('cannot tell which file this diff is for', head);
  return { file, next: i };
}

function parseHunk(lines: Line[], at: number, file: FilePatch, fail: Fail): number {
  const m = HUNK_RE.exec(lines[at].text);
  if (!m) throw fail('malformed hunk header', lines[at]);
  let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
  let newLeft = m[4] === undefined ? 1 : Number(m[4]);
  let i = at + 1;
  while (oldLeft > 0 || newLeft > 0) {
    const l = lines[i];
    if (!l) throw fail('hunk ends before the line counts of its header', lines[at]);
    const c = l.text[0];
    if (c === ' ' || l.text === '') (oldLeft--, newLeft--);
    else if (c === '-') (oldLeft--, file.removed++);
    else if (c === '+') (newLeft--, file.added++);
    else if (c !== '\\') throw fail('hunk holds fewer lines than its header says', lines[at]);
    if (oldLeft < 0 || newLeft < 0) throw fail('hunk holds more lines than its header says', lines[at]);
    i++;
  }
  if (lines[i]?.text.startsWith('\\')) i++;
  return i;
}

function parseBinary(lines: Line[], at: number, fail: Fail): number {
  let i = at;
  for (let part = 0; part < 2; part++) {
    if (!/^(literal|delta) \d+$/.test(lines[i]?.text ?? '')) {
      if (part === 1) return i;
      throw fail('binary patch without "literal" or "delta" data', lines[i - 1]);
    }
    for (i++; i < lines.length && lines[i].text !== ''; i++) {
      if (!/^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]+$/.test(lines[i].text)) throw fail('bad line in binary data', lines[i]);
    }
    if (i >= lines.length) throw fail('binary data does not end with an empty line', lines[i - 1]);
    i++;
  }
  return i;
}

/** The two names of `diff --git a/x b/x`; null when they cannot be told apart (renames with spaces). */
function splitGitLine(rest: string, fail: Fail, at: Line): [string, string] | null {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    const first = unquote(rest.slice(0, end + 1), fail, at);
    const second = unquote(rest.slice(end + 2), fail, at);
    return [stripPrefix(first), stripPrefix(second)];
  }
  const q = rest.indexOf(' "');
  if (q !== -1 && rest.endsWith('"')) return [utf8(stripPrefix(rest.slice(0, q))), stripPrefix(unquote(rest.slice(q + 1), fail, at))];
  if (rest.length % 2 === 1) {
    const half = (rest.length - 1) / 2;
    const a = stripPrefix(rest.slice(0, half));
    const b = stripPrefix(rest.slice(half + 1));
    if (a === b && rest[half] === ' ') return [utf8(a), utf8(b)];
  }
  return null;
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

/** C-style unquoting of a git path (`"a/\303\244 b"`), returning UTF-8 text. */
function unquote(s: string, fail: Fail, at: Line): string {
  if (!s.startsWith('"')) return utf8(s);
  if (!s.endsWith('"') || s.length < 2) throw fail('badly quoted file name', at);
  const bytes: number[] = [];
  const map: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i];
    if (c !== '\\') {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const n = s[++i];
    if (/[0-7]/.test(n)) {
      bytes.push(parseInt(s.slice(i, i + 3), 8));
      i += 2;
    } else if (n in map) bytes.push(map[n]);
    else throw fail('badly quoted file name', at);
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(p: string): string {
  const slash = p.indexOf('/');
  return slash === -1 ? p : p.slice(slash + 1);
}

/** Refuses paths that would reach outside the tree the patch is applied to. */
function checkPaths(file: FilePatch, symlinks: Set<string>, fail: (msg: string) => Error): void {
  for (const p of [file.oldPath, file.newPath]) {
    if (p === null) continue;
    const problem = pathProblem(p);
    if (problem) throw fail(`refused path ${JSON.stringify(p)}: ${problem}`);
    for (const link of symlinks) {
      if (p.startsWith(`${link}/`)) throw fail(`refused path ${JSON.stringify(p)}: it goes through the symlink ${link} the patch creates`);
    }
  }
  if (file.newPath !== null && file.newMode === '120000') symlinks.add(file.newPath);
}

export function pathProblem(p: string): string | null {
  if (p.includes('\0')) return 'it holds a NUL byte';
  if (p.startsWith('/')) return 'it is absolute';
  if (p === '' || p.endsWith('/')) return 'it is not a file name';
  const parts = p.split('/');
  if (parts.some((x) => x === '..')) return 'it climbs out of the tree with ".."';
  if (parts.some((x) => x === '.' || x === '')) return 'it is not a normalized path';
  if (parts.some((x) => x.toLowerCase() === '.git')) return 'it writes into .git';
  return null;
}
