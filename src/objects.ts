// Git objects made in process: a blob's id, and blobs and trees written as loose objects, so
// the refresh and `patch` need no `hash-object` or `mktree` process. The format is git's own:
// `<type> <size>\0<content>`, hashed with the repository's object format (sha1 or sha256) and
// stored zlib-deflated at objects/<first 2 hex digits>/<the rest>.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export type ObjectFormat = 'sha1' | 'sha256';

/** The object id of a blob holding `content`. */
export function blobId(content: Buffer, format: ObjectFormat): string {
  return objectId('blob', content, format);
}

function objectId(type: string, content: Buffer, format: ObjectFormat): string {
  const h = crypto.createHash(format);
  h.update(`${type} ${content.length}\0`);
  h.update(content);
  return h.digest('hex');
}

/**
 * A tree object's content: `<mode> <name>\0<binary id>` per entry, in git's order (by name,
 * a folder's name compared as if it ended with "/"), modes without leading zeros.
 */
export function treeContent(entries: readonly { mode: string; sha: string; path: string }[]): Buffer {
  const key = (e: { mode: string; path: string }) => Buffer.from(e.mode.replace(/^0+/, '') === '40000' ? `${e.path}/` : e.path);
  const sorted = entries.map((e) => ({ e, k: key(e) })).sort((a, b) => Buffer.compare(a.k, b.k));
  return Buffer.concat(sorted.flatMap(({ e }) => [Buffer.from(`${e.mode.replace(/^0+/, '')} ${e.path}\0`), Buffer.from(e.sha, 'hex')]));
}

/** Writes a tree object (see treeContent) and returns its id. */
export function writeLooseTree(objectsDir: string, entries: readonly { mode: string; sha: string; path: string }[], format: ObjectFormat): string {
  return writeLooseObject(objectsDir, 'tree', treeContent(entries), format);
}

/**
 * Writes `content` as a loose blob into `objectsDir` and returns its id. Atomic as git does
 * it: written to a temporary file in the same folder, then linked into place (an object that
 * is already there is kept and only freshened, so a concurrent writer of the same object is
 * harmless). Files are read-only, like git's.
 */
export function writeLooseBlob(objectsDir: string, content: Buffer, format: ObjectFormat): string {
  return writeLooseObject(objectsDir, 'blob', content, format);
}

function writeLooseObject(objectsDir: string, type: 'blob' | 'tree', content: Buffer, format: ObjectFormat): string {
  const id = objectId(type, content, format);
  const dir = path.join(objectsDir, id.slice(0, 2));
  const file = path.join(dir, id.slice(2));
  if (fs.existsSync(file)) {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now); // as git freshens an object it is asked to write again
    } catch {
      // read-only object stores: the object is there, that is what matters
    }
    return id;
  }
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `tmp_obj_flagpatch_${process.pid}_${crypto.randomBytes(4).toString('hex')}`);
  const header = Buffer.from(`${type} ${content.length}\0`);
  // Level 1, git's default for loose objects (core.looseCompression): gc recompresses anyway.
  fs.writeFileSync(tmp, zlib.deflateSync(Buffer.concat([header, content]), { level: 1 }), { mode: 0o444 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      // File systems without hard links: rename, as git falls back to.
      try {
        fs.renameSync(tmp, file);
        return id;
      } catch {
        fs.rmSync(tmp, { force: true });
        throw e;
      }
    }
  }
  fs.rmSync(tmp, { force: true });
  return id;
}
