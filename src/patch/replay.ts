// Applies a parsed patch message to its base's blobs in process: each file diff's hunks (or
// binary data) on the base blob, the result hashed as git would. This saves the temporary
// index and the `git apply` process on the hook path and for `check`. It is strict where git
// is lenient: a hunk must match exactly where its header says, hunks without trailing context
// must end the file, and anything it does not handle itself (gitlinks, copies, a path twice,
// a created path that is in the way of something, odd modes, a hunk that does not match) makes
// the whole message go to `git apply` instead, so whatever it accepts, git accepts with the
// same result, and whatever git refuses is still refused by git with git's words.
import zlib from 'node:zlib';
import type { Entry } from '../git.js';
import { blobId, type ObjectFormat } from '../objects.js';
import type { PatchMessage } from './parse.js';

/** Modes replayed here; anything else (gitlinks, 100664...) is left to git. */
const MODES = new Set(['100644', '100755', '120000']);
/** Binary data larger than this is left to git (it also bounds inflating untrusted data). */
const MAX_BINARY = 64 << 20;

/**
 * The entries of the touched paths after `message`, by path (null = removed), or null when
 * some file diff must be left to `git apply`. `before` holds the base's entries of every path
 * the message names (and of whatever stands in the way of the paths it creates).
 */
export async function replayMessage(
  message: PatchMessage,
  before: ReadonlyMap<string, Entry>,
  read: (sha: string) => Promise<Buffer>,
  format: ObjectFormat,
  /** false: only whether it applies (`check` of other devices); result ids are left empty. */
  ids = true,
): Promise<Map<string, Entry | null> | null> {
  const chunks = splitFileDiffs(message.diff);
  if (chunks.length !== message.files.length) return null;
  const named = message.files.flatMap((f) => [f.oldPath, f.newPath].filter((p): p is string => p !== null && p !== undefined));
  const distinct = new Set(named);
  if (distinct.size !== named.length - message.files.filter((f) => f.oldPath !== null && f.oldPath === f.newPath).length) return null;
  let folders: Set<string> | undefined; // made when a path is created
  const folderSet = () => {
    if (folders) return folders;
    folders = new Set<string>();
    for (const p of before.keys()) for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) folders.add(p.slice(0, i));
    return folders;
  };
  const inTheWay = (p: string) => {
    if (before.has(p) || folderSet().has(p)) return true;
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) if (before.has(p.slice(0, i))) return true;
    return false;
  };

  const changes = new Map<string, Entry | null>();
  const results = await Promise.all(
    message.files.map(async (f, i) => {
      const chunk = chunks[i];
      const body = [chunk.indexOf('\n--- '), chunk.indexOf('\nGIT binary patch\n')].filter((x) => x !== -1);
      const header = body.length ? chunk.slice(0, Math.min(...body) + 1) : chunk;
      if (header.includes('\ncopy from ') || !chunk.endsWith('\n')) return false;
      const old = f.oldPath === null ? null : before.get(f.oldPath);
      if (f.oldPath !== null && (!old || !MODES.has(old.mode) || (f.oldMode !== undefined && f.oldMode !== old.mode))) return false;
      if (f.newPath !== null && f.newPath !== f.oldPath && inTheWay(f.newPath)) return false;
      const mode = f.newPath === null ? null : (f.newMode ?? old?.mode);
      if (mode !== null && (mode === undefined || !MODES.has(mode))) return false;
      const preimage = old ? await read(old.sha) : Buffer.alloc(0);
      const result = f.binary ? applyBinary(chunk, preimage, old?.sha ?? null, format) : applyTextLines(chunk, linesOf(preimage));
      if (result === null) return false;
      if (f.oldPath !== null && f.oldPath !== f.newPath) changes.set(f.oldPath, null);
      if (f.newPath === null) return result.length === 0; // git refuses a deletion that leaves content
      const content = () => (Buffer.isBuffer(result) ? result : Buffer.from(result.join(''), 'latin1'));
      changes.set(f.newPath, { mode: mode!, sha: ids ? blobId(content(), format) : '', path: f.newPath });
      return true;
    }),
  );
  return results.every(Boolean) ? changes : null;
}

/** The validated diff of a message, one string (latin1: a char per byte) per `diff --git`. */
function splitFileDiffs(diff: Buffer): string[] {
  const text = diff.toString('latin1');
  const out: string[] = [];
  let start = text.startsWith('diff --git ') ? 0 : -1;
  if (start === -1) return out;
  for (let at = text.indexOf('\ndiff --git ', 0); at !== -1; at = text.indexOf('\ndiff --git ', at + 1)) {
    out.push(text.slice(start, at + 1));
    start = at + 1;
  }
  out.push(text.slice(start));
  return out;
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The text file diff `chunk` applied to `old`, or null when it does not apply exactly. */
export function applyText(chunk: string, old: Buffer): Buffer | null {
  const lines = applyTextLines(chunk, linesOf(old));
  return lines && Buffer.from(lines.join(''), 'latin1');
}

// A base blob's lines, split once: `check` replays many devices' patches on the same blobs
// (the caller hands the same Buffer for the same blob).
const splitBlobs = new WeakMap<Buffer, readonly string[]>();

function linesOf(blob: Buffer): readonly string[] {
  let lines = splitBlobs.get(blob);
  if (!lines) splitBlobs.set(blob, (lines = splitKeepingNewlines(blob.toString('latin1'))));
  return lines;
}

/** `applyText` on lines (each with its newline, the last one maybe without). */
function applyTextLines(chunk: string, src: readonly string[]): string[] | null {
  const lines = chunk.split('\n');
  lines.pop(); // the chunk ends with a newline
  let i = lines.findIndex((l) => l.startsWith('--- '));
  if (i === -1) return [...src]; // no content change: a mode change, a pure rename, an empty file
  i += 2;
  const out: string[] = [];
  let cursor = 0;
  while (i < lines.length) {
    const m = HUNK_RE.exec(lines[i]);
    if (!m) return null;
    const oldStart = Number(m[1]);
    let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
    let newLeft = m[4] === undefined ? 1 : Number(m[4]);
    const ops: { kind: string; text: string }[] = [];
    for (i++; oldLeft > 0 || newLeft > 0; i++) {
      const l = lines[i];
      if (l === undefined) return null;
      const kind = l === '' ? ' ' : l[0];
      if (kind === '\\') {
        if (!ops.length) return null;
        ops[ops.length - 1].text = ops[ops.length - 1].text.slice(0, -1);
        continue;
      }
      if (kind === ' ') {
        oldLeft--;
        newLeft--;
      } else if (kind === '-') oldLeft--;
      else if (kind === '+') newLeft--;
      else return null;
      ops.push({ kind, text: `${l.slice(1)}\n` });
    }
    if (lines[i]?.startsWith('\\') && ops.length) {
      ops[ops.length - 1].text = ops[ops.length - 1].text.slice(0, -1);
      i++;
    }
    // Where the hunk starts, in the base and in the result so far: both must agree with its
    // header (git searches from the latter and could pick another matching place otherwise).
    // git: a hunk at line 0 or 1 must match at the start, one without trailing context at the end.
    const start = m[2] === '0' ? oldStart : Math.max(0, oldStart - 1);
    const newStart = Number(m[3]);
    if (start < cursor || start > src.length || (newStart === 0 ? 0 : newStart - 1) !== out.length + (start - cursor)) return null;
    let trailing = 0;
    while (trailing < ops.length && ops[ops.length - 1 - trailing].kind === ' ') trailing++;
    for (; cursor < start; cursor++) out.push(src[cursor]);
    for (const op of ops) {
      if (op.kind !== '+') {
        if (src[cursor] !== op.text) return null;
        cursor++;
      }
      if (op.kind !== '-') out.push(op.text);
    }
    if (trailing === 0 && cursor !== src.length) return null;
  }
  for (; cursor < src.length; cursor++) out.push(src[cursor]);
  return out;
}

function splitKeepingNewlines(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl + 1;
    out.push(text.slice(pos, end));
    pos = end;
  }
  return out;
}

/**
 * The forward half of a `GIT binary patch` applied to `old` (whose id is `oldSha`), or null.
 * As `git apply` does, the preimage must be the blob the `index` line names and the result
 * the one it promises.
 */
export function applyBinary(chunk: string, old: Buffer, oldSha: string | null, format: ObjectFormat): Buffer | null {
  const index = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/m.exec(chunk);
  if (!index) return null;
  const zero = /^0+$/;
  if (oldSha === null ? !zero.test(index[1]) : !oldSha.startsWith(index[1])) return null;
  const lines = chunk.split('\n');
  let i = lines.indexOf('GIT binary patch');
  const m = /^(literal|delta) (\d+)$/.exec(lines[i + 1] ?? '');
  if (i === -1 || !m || Number(m[2]) > MAX_BINARY) return null;
  const size = Number(m[2]);
  const parts: Buffer[] = [];
  for (i += 2; i < lines.length && lines[i] !== ''; i++) {
    const part = decode85Line(lines[i]);
    if (!part) return null;
    parts.push(part);
  }
  let data: Buffer;
  try {
    data = zlib.inflateSync(Buffer.concat(parts), { maxOutputLength: size + 1 });
  } catch {
    return null;
  }
  if (data.length !== size) return null;
  const result = m[1] === 'literal' ? data : applyDelta(old, data);
  if (!result) return null;
  const id = blobId(result, format);
  return (zero.test(index[2]) ? result.length === 0 : id.startsWith(index[2])) ? result : null;
}

const B85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const B85_VALUE = new Map([...B85].map((c, i) => [c, i]));

/** One line of git's base85: a length letter (A-Z = 1-26, a-z = 27-52), then 5 chars per 4 bytes. */
function decode85Line(line: string): Buffer | null {
  const c = line.charCodeAt(0);
  const len = c >= 65 && c <= 90 ? c - 64 : c >= 97 && c <= 122 ? c - 96 + 26 : 0;
  const body = line.slice(1);
  if (!len || body.length !== Math.ceil(len / 4) * 5) return null;
  const out = Buffer.alloc(Math.ceil(len / 4) * 4);
  for (let g = 0; g < body.length / 5; g++) {
    let v = 0;
    for (let k = 0; k < 5; k++) {
      const d = B85_VALUE.get(body[g * 5 + k]);
      if (d === undefined) return null;
      v = v * 85 + d;
    }
    if (v > 0xffffffff) return null;
    out.writeUInt32BE(v, g * 4);
  }
  return out.subarray(0, len);
}

/** git's delta format: source and result sizes, then copy (from the source) and insert ops. */
function applyDelta(src: Buffer, delta: Buffer): Buffer | null {
  let pos = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    let c;
    do {
      if (pos >= delta.length) return -1;
      c = delta[pos++];
      v += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80);
    return v;
  };
  if (varint() !== src.length) return null;
  const size = varint();
  if (size < 0 || size > MAX_BINARY) return null;
  const out = Buffer.alloc(size);
  let at = 0;
  while (pos < delta.length) {
    const op = delta[pos++];
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) off += delta[pos++] * 2 ** (8 * b);
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) len += delta[pos++] * 2 ** (8 * b);
      if (len === 0) len = 0x10000;
      if (pos > delta.length || off + len > src.length || at + len > size) return null;
      src.copy(out, at, off, off + len);
      at += len;
    } else if (op) {
      if (pos + op > delta.length || at + op > size) return null;
      delta.copy(out, at, pos, pos + op);
      pos += op;
      at += op;
    } else return null;
  }
  return at === size ? out : null;
}
