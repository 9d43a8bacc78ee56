// Reading what git prints: raw diffs, tree objects and ls-tree records (no processes here).
import { OID } from '../oid.js';

/** One entry of a tree or an index: `mode`, object id, path from the top of the tree. */
export interface Entry {
  mode: string;
  sha: string;
  path: string;
}

/** One line of `git diff --raw`: both sides of a changed path (mode 000000 = absent). */
export interface RawChange {
  srcMode: string;
  srcSha: string;
  dstMode: string;
  dstSha: string;
  status: string;
  /** The path after the change. */
  path: string;
  /** For a rename (status R...), the path before it. */
  from?: string;
}

/**
 * Parses `-z --raw` records at the start of `out` (`:<modes> <ids> <status>\0<path>\0`, two
 * paths for renames and copies); `end` is where whatever git printed after them begins.
 */
export function parseRaw(out: Buffer): { changes: RawChange[]; end: number } {
  const changes: RawChange[] = [];
  let pos = 0;
  while (pos < out.length && out[pos] === 0x3a /* : */) {
    const metaEnd = out.indexOf(0, pos);
    const [srcMode, dstMode, srcSha, dstSha, status] = out
      .subarray(pos + 1, metaEnd)
      .toString('latin1')
      .split(' ');
    const p1End = out.indexOf(0, metaEnd + 1);
    const p1 = out.subarray(metaEnd + 1, p1End).toString('utf8');
    if (status[0] === 'R' || status[0] === 'C') {
      const p2End = out.indexOf(0, p1End + 1);
      changes.push({ srcMode, dstMode, srcSha, dstSha, status, from: p1, path: out.subarray(p1End + 1, p2End).toString('utf8') });
      pos = p2End + 1;
    } else {
      changes.push({ srcMode, dstMode, srcSha, dstSha, status, path: p1 });
      pos = p1End + 1;
    }
  }
  return { changes, end: pos };
}

// `cat-file --batch`'s header of a found object: `<id> <type> <size>`.
export const BATCH_HEADER_RE = new RegExp(`^(${OID}) (\\S+) (\\d+)$`);

export function typeOfMode(mode: string): string {
  if (mode === '040000' || mode === '40000') return 'tree';
  if (mode === '160000') return 'commit';
  return 'blob';
}

/** A raw tree object: `<mode> <name>\0<binary id>` per entry, by name. */
export function parseTreeObject(data: Buffer, idBytes: number): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, sp);
    const mode = data.subarray(pos, sp).toString('latin1').padStart(6, '0');
    const name = data.subarray(sp + 1, nul).toString('utf8');
    entries.set(name, { mode, sha: data.subarray(nul + 1, nul + 1 + idBytes).toString('hex'), path: name });
    pos = nul + 1 + idBytes;
  }
  return entries;
}

export function parseEntries(buf: Buffer): Entry[] {
  return buf
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((rec) => {
      const tab = rec.indexOf('\t');
      const [mode, , sha] = rec.slice(0, tab).split(' ');
      return { mode, sha, path: rec.slice(tab + 1) };
    });
}
