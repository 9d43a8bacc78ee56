// Reads a patch file: a mailbox of one or more messages (legacy `git format-patch` output has
// many), or a bare `git diff`. Patches come from other companies, so the reader is built for
// hostile input: one pass over the bytes with no line array (memory stays a small multiple of
// the file), no regular expression that can backtrack on a long line, every header and path
// bounded (src/limits.ts). Every file diff is checked before git ever sees it: paths must stay
// inside the tree (src/patch/paths.ts), names must agree, hunks must be well formed. Only the
// validated diff bytes are handed to `git apply`, so text between file diffs can never smuggle
// in another patch.
import zlib from 'node:zlib';
import { PatchRefusedError } from '../errors.js';
import { LIMITS, mib } from '../limits.js';
import { TRAILER_BASE, TRAILER_DEVICE, decodeWords } from './format.js';
import { pathProblem } from './paths.js';

export interface FilePatch {
  oldPath: string | null;
  newPath: string | null;
  oldMode?: string;
  newMode?: string;
  /** A rename or copy (`rename from` / `copy from`). */
  renamed?: boolean;
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

/** Messages in one mailbox: legacy patches hold one per vendor commit. */
const MAX_MESSAGES = 1_000;
const MODES = new Set(['100644', '100755', '120000', '160000', '100664']);

/** Parses and validates a patch file; `label` names it in messages. */
export function parsePatch(buf: Buffer, label: string): PatchMessage[] {
  const refuse = (reason: string) => new PatchRefusedError(label, reason);
  if (buf.length > LIMITS.patchBytes) throw refuse(`is larger than ${mib(LIMITS.patchBytes)}, the limit for a patch file`);
  // latin1 maps each byte to one char, so offsets in the text are offsets in the buffer.
  const text = buf.toString('latin1');
  const starts: number[] = [];
  // Messages start at `From <id> ` lines, found by searching for "From " (a search for
  // "\nFrom " crawls through long runs of newlines).
  for (let pos = text.indexOf('From '); pos !== -1; pos = text.indexOf('From ', pos + 1)) {
    if ((pos === 0 || text.charCodeAt(pos - 1) === 0x0a) && isSeparator(text, pos)) {
      if (starts.length === MAX_MESSAGES) throw refuse(`holds more than ${MAX_MESSAGES} messages`);
      starts.push(pos);
    }
  }
  if (starts.length === 0) starts.push(0);
  // Text before the first message would be applied by a plain `git apply` of the file unseen.
  else if (text.slice(0, starts[0]).trim() !== '') throw refuse('text before its first message');
  const messages: PatchMessage[] = [];
  const symlinks = new PathTrie<'symlink' | 'moved'>();
  for (let m = 0; m < starts.length; m++) {
    const from = isSeparator(text, starts[m]) ? lineEnd(text, starts[m]) : starts[m];
    const to = m + 1 < starts.length ? starts[m + 1] : text.length;
    messages.push(new MessageReader(buf, text, from, to, label, messages.length + 1, symlinks).read());
  }
  if (!messages.some((msg) => msg.files.length)) throw refuse('holds no file diff');
  return messages;
}

/** `From <object id> ` at `pos`: the mbox line that starts a message. */
function isSeparator(text: string, pos: number): boolean {
  if (!text.startsWith('From ', pos)) return false;
  let i = pos + 5;
  while (i < text.length && i - pos - 5 < 64 && isHex(text.charCodeAt(i))) i++;
  const n = i - pos - 5;
  return (n === 40 || n === 64) && text[i] === ' ';
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}

/** Offset just past the line starting at `pos` (past its newline, or the end of the text). */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

/** Reads one message between two offsets of the mailbox. */
class MessageReader {
  private pos: number;
  /** Bytes the message's binary diffs unpack to. */
  private binaryBytes = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly text: string,
    from: number,
    private readonly to: number,
    private readonly label: string,
    private readonly index: number,
    private readonly symlinks: PathTrie<'symlink' | 'moved'>,
  ) {
    this.pos = from;
  }

  private fail(msg: string, at?: number): PatchRefusedError {
    const quote = at === undefined ? '' : `, "${utf8(this.text.slice(at, Math.min(this.lineEndAt(at), at + 60)).replace(/\r?\n$/, ''))}"`;
    return new PatchRefusedError(this.label, `${msg} (message ${this.index}${quote})`);
  }

  private lineEndAt(pos: number): number {
    return Math.min(lineEnd(this.text, pos), this.to);
  }

  /** The line at `pos` without its newline; refused when longer than a header line may be. */
  private lineAt(pos: number): string {
    const end = this.lineEndAt(pos);
    if (end - pos > LIMITS.headerLineBytes) throw this.fail(`a line is longer than ${mib(LIMITS.headerLineBytes)}, the limit for a header or file name line`, pos);
    const hasNl = end > pos && this.text.charCodeAt(end - 1) === 0x0a;
    return this.text.slice(pos, hasNl ? end - 1 : end);
  }

  private get done(): boolean {
    return this.pos >= this.to;
  }

  read(): PatchMessage {
    const headers = this.readHeaders();
    const { body, base, device } = this.readBody();
    const files: FilePatch[] = [];
    const chunks: Buffer[] = [];
    const seen = new PathUse(this.fail.bind(this));
    while (!this.done) {
      const start = this.pos;
      const line = this.lineAt(start);
      if (line.startsWith('diff --git ')) {
        const file = this.readFileDiff();
        this.checkPaths(file);
        seen.add(file, start);
        files.push(file);
        chunks.push(this.buf.subarray(start, this.pos));
      } else if (line === '-- ') {
        this.checkTrailingText();
        break;
      } else if (line.replace(/\r$/, '').trim() === '') {
        this.pos = this.lineEndAt(start);
      } else {
        throw this.fail('unexpected text between file diffs', start);
      }
    }
    const from = parseAddress(decodeWords(utf8(headers.get('from') ?? '')));
    return {
      author: from,
      date: headers.get('date'),
      subject: stripPatchTag(decodeWords(utf8(headers.get('subject') ?? ''))),
      body,
      base,
      device,
      diff: Buffer.concat(chunks),
      files,
    };
  }

  /** Mail headers, when the message has them (a bare diff has none). */
  private readHeaders(): Map<string, string> {
    const headers = new Map<string, string>();
    if (this.done || !looksLikeHeader(this.lineAt(this.pos))) return headers;
    let last = '';
    while (!this.done) {
      const t = this.lineAt(this.pos).replace(/\r$/, '');
      if (t === '') {
        this.pos = this.lineEndAt(this.pos);
        break;
      }
      this.refuseOutsideDiff(this.pos);
      if ((t[0] === ' ' || t[0] === '\t') && last) {
        const value = `${headers.get(last)} ${t.trim()}`;
        if (value.length > LIMITS.headerLineBytes) throw this.fail(`the ${last} header is longer than ${mib(LIMITS.headerLineBytes)}`, this.pos);
        headers.set(last, value);
      } else {
        // A header name is a word: a line like "diff --git a/x b/x :" is no header (it ends the
        // headers, and what follows is judged as body or diff).
        const c = t.indexOf(':');
        if (c <= 0 || !isHeaderName(t.slice(0, c))) break;
        last = t.slice(0, c).toLowerCase();
        headers.set(last, t.slice(c + 1).trim());
      }
      this.pos = this.lineEndAt(this.pos);
    }
    // git am decodes quoted-printable and base64 bodies (and splits multipart ones) before it
    // applies them: such a message would apply something other than what was judged here.
    const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
    if (encoding !== undefined && !['7bit', '8bit', 'binary'].includes(encoding)) throw this.fail(`its Content-Transfer-Encoding ${JSON.stringify(encoding.slice(0, 40))} would be decoded by git am`);
    const type = headers.get('content-type')?.toLowerCase();
    if (type !== undefined && !type.startsWith('text/plain')) throw this.fail(`its Content-Type ${JSON.stringify(type.slice(0, 40))} is not text/plain`);
    return headers;
  }

  /**
   * Outside file diffs no line may be something `git apply` or `git am` acts on: a hunk header,
   * or a "From " line git am's mailsplit would take for the start of another message.
   */
  private refuseOutsideDiff(pos: number): void {
    if (this.text.startsWith('@@ -', pos)) throw this.fail('a hunk outside any file diff', pos);
    if (this.text.startsWith('From ', pos)) throw this.fail('a "From " line that git am would take for another message', pos);
  }

  /** The commit message up to `---` (then the diffstat, skipped) or the first file diff. */
  private readBody(): { body: string; base?: string; device?: string } {
    // One pass that only looks at line starts; the message is decoded once at the end.
    const bodyStart = this.pos;
    let bodyEnd = -1;
    let base: string | undefined;
    let device: string | undefined;
    while (!this.done) {
      const start = this.pos;
      const end = this.lineEndAt(start);
      if (this.text.startsWith('diff --git ', start) || this.text.startsWith('-- \n', start) || (end === this.to && this.text.slice(start, end) === '-- ')) break;
      this.refuseOutsideDiff(start);
      if (bodyEnd === -1) {
        if (start - bodyStart > LIMITS.messageBytes) throw this.fail(`its message is longer than ${mib(LIMITS.messageBytes)}, the limit for a commit message`);
        if (this.text.startsWith('---', start) && (end === start + 3 || this.text.charCodeAt(start + 3) === 0x0a)) bodyEnd = start;
        else if (this.text.startsWith('Flagpatch-', start)) {
          const trailer = parseTrailer(this.lineAt(start));
          if (trailer?.key === TRAILER_BASE) base = trailer.value;
          if (trailer?.key === TRAILER_DEVICE) device = trailer.value;
        }
      }
      this.pos = end;
    }
    const body = utf8(this.text.slice(bodyStart, bodyEnd === -1 ? this.pos : bodyEnd)).trim();
    return { body, base, device };
  }

  /** After the signature `-- ` comes a tool name: it must not hold another diff. */
  private checkTrailingText(): void {
    for (let p = this.pos; p < this.to; p = this.lineEndAt(p)) {
      if (this.text.startsWith('diff --git ', p) || this.text.startsWith('@@ -', p)) throw this.fail('a diff follows the signature "-- "');
      this.refuseOutsideDiff(p);
    }
    this.pos = this.to;
  }

  /** One `diff --git` block starting at `this.pos`. */
  private readFileDiff(): FilePatch {
    const headAt = this.pos;
    const names = splitGitLine(this.lineAt(headAt).slice('diff --git '.length), (m) => this.fail(m, headAt));
    this.pos = this.lineEndAt(headAt);
    const file: FilePatch = { oldPath: null, newPath: null, binary: false, added: 0, removed: 0 };
    let oldName: string | undefined;
    let newName: string | undefined;
    let created = false;
    let deleted = false;
    const mode = (v: string, at: number) => {
      if (!MODES.has(v)) throw this.fail(`bad file mode ${JSON.stringify(v.slice(0, 20))}`, at);
      return v;
    };
    // Extended header lines.
    for (; !this.done; this.pos = this.lineEndAt(this.pos)) {
      const at = this.pos;
      const t = this.lineAt(at);
      const word = (prefix: string) => (t.startsWith(prefix) ? t.slice(prefix.length) : null);
      let v: string | null;
      if ((v = word('old mode ')) !== null) file.oldMode = mode(v, at);
      else if ((v = word('new mode ')) !== null) file.newMode = mode(v, at);
      else if ((v = word('deleted file mode ')) !== null) ((file.oldMode = mode(v, at)), (deleted = true));
      else if ((v = word('new file mode ')) !== null) ((file.newMode = mode(v, at)), (created = true));
      else if ((v = word('rename from ') ?? word('copy from ')) !== null) ((oldName = unquote(v, (m) => this.fail(m, at))), (file.renamed = true));
      else if ((v = word('rename to ') ?? word('copy to ')) !== null) newName = unquote(v, (m) => this.fail(m, at));
      else if (isSimilarity(t)) continue;
      else if ((v = word('index ')) !== null) {
        const m = parseIndexLine(v);
        if (!m) throw this.fail('bad index line', at);
        if (m.mode) file.oldMode = file.newMode = mode(m.mode, at);
      } else break;
    }
    let minusName: string | null | undefined;
    let plusName: string | null | undefined;
    const first = this.done ? '' : this.lineAt(this.pos);
    if (first.startsWith('--- ')) {
      const minusAt = this.pos;
      this.pos = this.lineEndAt(minusAt);
      const plusAt = this.pos;
      const plus = this.done ? undefined : this.lineAt(plusAt);
      if (plus === undefined || !plus.startsWith('+++ ')) throw this.fail('"---" line without "+++" line', minusAt);
      minusName = fileLineName(first.slice(4), (m) => this.fail(m, minusAt));
      plusName = fileLineName(plus.slice(4), (m) => this.fail(m, plusAt));
      this.pos = this.lineEndAt(plusAt);
      if (this.done || !this.text.startsWith('@@ -', this.pos)) throw this.fail('file diff without a hunk', plusAt);
      while (!this.done && this.text.startsWith('@@', this.pos)) this.readHunk(file);
    } else if (first === 'GIT binary patch') {
      file.binary = true;
      this.pos = this.lineEndAt(this.pos);
      this.readBinary();
    } else if (first.startsWith('Binary files ')) {
      throw this.fail('binary file without its data (made without --binary), so it cannot be applied', this.pos);
    } else if (!this.done && !first.startsWith('diff --git ') && first !== '-- ' && first.trim() !== '') {
      throw this.fail('unexpected line in a file diff header', this.pos);
    }

    // Every name the diff gives for a side must agree: `diff --git`, rename/copy, ---/+++.
    const agree = (side: string, ...candidates: (string | null | undefined)[]) => {
      const known = candidates.filter((c): c is string => typeof c === 'string');
      if (known.some((c) => c !== known[0])) throw this.fail(`its ${side} file is named differently on its "diff --git", rename and "---"/"+++" lines`, headAt);
      return known[0] ?? null;
    };
    if (created && oldName !== undefined) throw this.fail('a new file cannot have a source', headAt);
    if (created && minusName) throw this.fail('a new file must have "--- /dev/null"', headAt);
    if (deleted && plusName) throw this.fail('a deleted file must have "+++ /dev/null"', headAt);
    if (created && deleted) throw this.fail('a file diff cannot both create and delete its file', headAt);
    const oldPath = agree('old', names?.[0], oldName, minusName);
    const newPath = agree('new', names?.[1], newName, plusName);
    file.oldPath = created ? null : oldPath;
    file.newPath = deleted ? null : newPath;
    if ((minusName === null && !created) || (plusName === null && !deleted)) throw this.fail('"/dev/null" on a side that is not created or deleted', headAt);
    if (file.oldPath === null && file.newPath === null) throw this.fail('file diff names no file', headAt);
    if ((!created && file.oldPath === null) || (!deleted && file.newPath === null)) throw this.fail('cannot tell which file this diff is for', headAt);
    return file;
  }

  private readHunk(file: FilePatch): void {
    const at = this.pos;
    const counts = parseHunkHeader(this.lineAt(at));
    if (!counts) throw this.fail('malformed hunk header', at);
    let { oldLeft, newLeft } = counts;
    this.pos = this.lineEndAt(at);
    // Hunk lines are only looked at by their first byte: their length does not matter.
    while (oldLeft > 0 || newLeft > 0) {
      if (this.done) throw this.fail('hunk ends before the line counts of its header', at);
      const c = this.text.charCodeAt(this.pos);
      const end = this.lineEndAt(this.pos);
      const empty = end === this.pos + 1 && c === 0x0a;
      if (c === 0x20 || empty) (oldLeft--, newLeft--);
      else if (c === 0x2d) (oldLeft--, file.removed++);
      else if (c === 0x2b) (newLeft--, file.added++);
      else if (c !== 0x5c) throw this.fail('hunk holds fewer lines than its header says', at);
      if (oldLeft < 0 || newLeft < 0) throw this.fail('hunk holds more lines than its header says', at);
      this.pos = end;
    }
    if (!this.done && this.text.charCodeAt(this.pos) === 0x5c) this.pos = this.lineEndAt(this.pos);
  }

  /**
   * A `GIT binary patch`: one or two `literal N` / `delta N` blocks of base85 lines. What git
   * apply would inflate is bounded: a literal's size, and a delta's result size (read from the
   * start of its data), so a few KB of patch cannot unpack into gigabytes.
   */
  private readBinary(): void {
    for (let part = 0; part < 2; part++) {
      const headAt = this.pos;
      const head = this.done ? '' : this.lineAt(headAt);
      const block = parseBinaryHead(head);
      if (!block) {
        if (part === 1) return;
        throw this.fail('binary patch without "literal" or "delta" data', headAt);
      }
      this.pos = this.lineEndAt(this.pos);
      const first: string[] = [];
      for (;;) {
        if (this.done) throw this.fail('binary data does not end with an empty line');
        const line = this.lineAt(this.pos);
        this.pos = this.lineEndAt(this.pos);
        if (line === '') break;
        if (!isBase85Line(line)) throw this.fail('bad line in binary data', this.pos);
        if (first.length < 4) first.push(line);
      }
      const size = block.kind === 'literal' ? block.size : deltaResultSize(first);
      if (size === null) throw this.fail('binary delta whose data cannot be read', headAt);
      if (size > LIMITS.binaryBytes || block.size > LIMITS.binaryBytes) throw this.fail(`a binary file larger than ${mib(LIMITS.binaryBytes)}, the limit for one binary file`, headAt);
      this.binaryBytes += size;
      if (this.binaryBytes > LIMITS.binaryBytes * 4) throw this.fail(`binary files larger than ${mib(LIMITS.binaryBytes * 4)} in all`, headAt);
    }
  }

  /** Paths must stay inside the tree, and never go through a symlink the patch makes. */
  private checkPaths(file: FilePatch): void {
    for (const p of [file.oldPath, file.newPath]) {
      if (p === null) continue;
      const problem = pathProblem(p);
      if (problem) throw new PatchRefusedError(this.label, `refused path ${JSON.stringify(p.slice(0, 200))}: ${problem}`);
      const link = this.symlinks.markedFolder(p);
      if (link?.mark === 'symlink') throw new PatchRefusedError(this.label, `refused path ${JSON.stringify(p)}: it goes through the symlink ${link.folder} the patch creates`);
      if (link?.mark === 'moved') throw new PatchRefusedError(this.label, `refused path ${JSON.stringify(p)}: it goes beneath ${link.folder}, which the patch renames or copies (it may be a symlink)`);
    }
    // A symlink the patch creates, or a rename/copy whose mode the patch does not state (it
    // may be a symlink of the base): later diffs may not write beneath it.
    if (file.newPath !== null && file.newMode === '120000') this.symlinks.mark(file.newPath, 'symlink');
    else if (file.newPath !== null && file.renamed && file.newMode === undefined) this.symlinks.mark(file.newPath, 'moved');
    if (file.oldPath !== null && file.newPath === null) this.symlinks.unmark(file.oldPath);
  }
}

/**
 * Paths by folder, so that "is something beneath this path?" and "is one of its folders marked?"
 * cost the length of the path, not its depth times its length.
 */
class PathTrie<M> {
  private readonly root: TrieNode<M> = { children: new Map() };

  /** The mark of the nearest folder of `path` that has one (not `path` itself). */
  markedFolder(path: string): { folder: string; mark: M } | null {
    const parts = path.split('/');
    let node = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node.children.get(parts[i]);
      if (!next) return null;
      if (next.mark !== undefined) return { folder: parts.slice(0, i + 1).join('/'), mark: next.mark };
      node = next;
    }
    return null;
  }

  /** Marks `path`; returns what it collides with: a marked folder above it, or paths below it. */
  mark(path: string, mark: M): 'below-a-mark' | 'has-children' | null {
    let node = this.root;
    for (const part of path.split('/')) {
      if (node.mark !== undefined && node !== this.root) return 'below-a-mark';
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = { children: new Map() }));
      node = next;
    }
    node.mark = mark;
    return node.children.size ? 'has-children' : null;
  }

  unmark(path: string): void {
    let node: TrieNode<M> | undefined = this.root;
    for (const part of path.split('/')) node = node?.children.get(part);
    if (node) delete node.mark;
  }
}

interface TrieNode<M> {
  children: Map<string, TrieNode<M>>;
  mark?: M;
}

/**
 * Each path is the old side of at most one diff and the new side of at most one (a type
 * change is a deletion and a creation of one path); no path may sit beneath another on the
 * same side (`x` and `x/y`).
 */
class PathUse {
  private readonly olds = new PathTrie<true>();
  private readonly news = new PathTrie<true>();
  private readonly seen = [new Set<string>(), new Set<string>()];

  constructor(private readonly fail: (msg: string, at?: number) => Error) {}

  add(file: FilePatch, at: number): void {
    for (const [i, trie, p] of [
      [0, this.olds, file.oldPath],
      [1, this.news, file.newPath],
    ] as const) {
      if (p === null) continue;
      if (this.seen[i].has(p)) throw this.fail(`two file diffs change ${JSON.stringify(p)}`, at);
      this.seen[i].add(p);
      const clash = trie.mark(p, true);
      if (clash === 'below-a-mark') throw this.fail(`it holds both the file ${JSON.stringify(trie.markedFolder(p)?.folder)} and ${JSON.stringify(p)} beneath it`, at);
      if (clash === 'has-children') throw this.fail(`it holds both the file ${JSON.stringify(p)} and paths beneath it`, at);
    }
  }
}

function isHeaderName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(name);
}

function looksLikeHeader(line: string): boolean {
  const c = line.indexOf(': ');
  if (c <= 0) return false;
  for (let i = 0; i < c; i++) {
    const ch = line.charCodeAt(i);
    if (!((ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) || ch === 0x2d)) return false;
  }
  return true;
}

/** `Key: value` with a single-token value, as flagpatch writes its trailers. */
function parseTrailer(line: string): { key: string; value: string } | null {
  const c = line.indexOf(':');
  if (c <= 0 || c > 40) return null;
  const key = line.slice(0, c);
  if (key !== TRAILER_BASE && key !== TRAILER_DEVICE) return null;
  const value = line.slice(c + 1).trim();
  return value && !/\s/.test(value) ? { key, value: value.slice(0, 100) } : null;
}

/** `Name <email>` (the name may be quoted); undefined when there is no address. */
function parseAddress(from: string): { name: string; email: string } | undefined {
  const t = from.trim();
  const open = t.lastIndexOf('<');
  if (open === -1 || !t.endsWith('>')) return undefined;
  const email = t.slice(open + 1, -1);
  if (email.includes('>')) return undefined;
  let name = t.slice(0, open).trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1);
  return { name, email };
}

/** Drops a leading `[PATCH ...]` tag, as git am does. */
function stripPatchTag(subject: string): string {
  if (!subject.startsWith('[PATCH')) return subject;
  const close = subject.indexOf(']');
  return close === -1 ? subject : subject.slice(close + 1).trimStart();
}

function isSimilarity(t: string): boolean {
  const rest = t.startsWith('similarity index ') ? t.slice(17) : t.startsWith('dissimilarity index ') ? t.slice(20) : null;
  return rest !== null && /^\d{1,3}%$/.test(rest);
}

/** `index <hex>..<hex>[ <mode>]`. */
function parseIndexLine(v: string): { mode?: string } | null {
  const sp = v.indexOf(' ');
  const ids = sp === -1 ? v : v.slice(0, sp);
  const dots = ids.indexOf('..');
  if (dots <= 0 || !/^[0-9a-f]{1,64}$/.test(ids.slice(0, dots)) || !/^[0-9a-f]{1,64}$/.test(ids.slice(dots + 2))) return null;
  return sp === -1 ? {} : { mode: v.slice(sp + 1) };
}

/** `@@ -a[,b] +c[,d] @@...`: the old and new line counts. */
export function parseHunkHeader(t: string): { oldLeft: number; newLeft: number } | null {
  if (!t.startsWith('@@ -')) return null;
  const close = t.indexOf(' @@', 4);
  if (close === -1) return null;
  const m = /^(\d{1,10})(?:,(\d{1,10}))? \+(\d{1,10})(?:,(\d{1,10}))?$/.exec(t.slice(4, close));
  if (!m) return null;
  return { oldLeft: m[2] === undefined ? 1 : Number(m[2]), newLeft: m[4] === undefined ? 1 : Number(m[4]) };
}

function parseBinaryHead(t: string): { kind: 'literal' | 'delta'; size: number } | null {
  const kind = t.startsWith('literal ') ? 'literal' : t.startsWith('delta ') ? 'delta' : null;
  if (!kind) return null;
  const rest = t.slice(kind.length + 1);
  return /^\d{1,12}$/.test(rest) ? { kind, size: Number(rest) } : null;
}

const BASE85_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** Decodes git's base85 lines (a length letter, then groups of five digits). */
function decode85(lines: readonly string[]): Buffer | null {
  const out: number[] = [];
  for (const line of lines) {
    const c = line.charCodeAt(0);
    const len = c <= 0x5a ? c - 0x40 : c - 0x60 + 26;
    const bytes: number[] = [];
    for (let i = 1; i + 5 <= line.length; i += 5) {
      let acc = 0;
      for (let j = 0; j < 5; j++) {
        const d = BASE85_DIGITS.indexOf(line[i + j]);
        if (d === -1) return null;
        acc = acc * 85 + d;
      }
      bytes.push((acc >>> 24) & 0xff, (acc >>> 16) & 0xff, (acc >>> 8) & 0xff, acc & 0xff);
    }
    out.push(...bytes.slice(0, len));
  }
  return Buffer.from(out);
}

/** A git delta starts with two varints: the source size and the result size. */
function deltaResultSize(firstLines: readonly string[]): number | null {
  const compressed = decode85(firstLines);
  if (!compressed) return null;
  let data: Buffer;
  try {
    // Only the start of the stream is at hand: flush what it gives, without its end.
    data = zlib.inflateSync(compressed, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
  let pos = 0;
  const varint = (): number | null => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= data.length || shift > 42) return null;
      const b = data[pos++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return value;
    }
  };
  return varint() === null ? null : varint();
}

const BASE85 = new Set('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+;<=>?@^_`{|}~-');
function isBase85Line(t: string): boolean {
  const c = t.charCodeAt(0);
  if (t.length < 2 || !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) return false;
  for (let i = 1; i < t.length; i++) if (!BASE85.has(t[i])) return false;
  return true;
}

/** The path of a `---`/`+++` line: null for /dev/null; the a/ or b/ prefix removed. */
function fileLineName(v: string, fail: (m: string) => Error): string | null {
  if (v === '/dev/null' || v.startsWith('/dev/null\t')) return null;
  const tab = v.startsWith('"') ? -1 : v.indexOf('\t');
  return stripPrefix(unquote(tab === -1 ? v : v.slice(0, tab), fail));
}

/** The two names of `diff --git a/x b/x`; null when they cannot be told apart (renames with spaces). */
function splitGitLine(rest: string, fail: (m: string) => Error): [string, string] | null {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    if (rest[end + 1] !== ' ') throw fail('badly quoted file name');
    return [stripPrefix(unquote(rest.slice(0, end + 1), fail)), stripPrefix(unquote(rest.slice(end + 2), fail))];
  }
  const q = rest.indexOf(' "');
  if (q !== -1 && rest.endsWith('"')) return [stripPrefix(utf8(rest.slice(0, q))), stripPrefix(unquote(rest.slice(q + 1), fail))];
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

const ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/** C-style unquoting of a git path (`"a/\303\244 b"`), returning UTF-8 text. */
function unquote(s: string, fail: (m: string) => Error): string {
  if (!s.startsWith('"')) return utf8(s);
  if (!s.endsWith('"') || s.length < 2) throw fail('badly quoted file name');
  const bytes: number[] = [];
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i];
    if (c !== '\\') {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const n = s[++i];
    if (n >= '0' && n <= '7') {
      const oct = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw fail('badly quoted file name');
      bytes.push(parseInt(oct, 8) & 0xff);
      i += 2;
    } else if (Object.hasOwn(ESCAPES, n)) bytes.push(ESCAPES[n]);
    else throw fail('badly quoted file name');
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(p: string): string {
  const slash = p.indexOf('/');
  return slash === -1 ? p : p.slice(slash + 1);
}
