// Where the files that steer flagpatch (config, hetero.txt) are read from: the commit being
// judged, the index being committed, or a folder on disk. Each read is bounded: a file larger
// than the caller's limit is reported as 'too-large' and never loaded.
import fs from 'node:fs';
import path from 'node:path';
import type { Git } from './git.js';

export type Read = Buffer | 'too-large' | null;

export interface FileSource {
  /** Names the source in messages, e.g. `HEAD (1a2b3c4d5e6f)` or `the index`. */
  label: string;
  /** The repository folder's name: the default `name` of materialized trees. */
  folderName: string;
  /** Each file's bytes; null when absent (or not a regular file). */
  read(files: readonly string[], maxBytes: number): Promise<Read[]>;
}

/** Files of a commit's tree (or any tree-ish). */
export function treeSource(git: Git, tree: string, label: string): FileSource {
  return { label, folderName: path.basename(git.top), read: (files, max) => git.blobsLimited(files.map((f) => `${tree}:${f}`), max) };
}

/** Files of the index named by the Git's GIT_INDEX_FILE (stage 0: what a commit will hold). */
export function indexSource(git: Git): FileSource {
  return { label: 'the index', folderName: path.basename(git.top), read: (files, max) => git.blobsLimited(files.map((f) => `:${f}`), max) };
}

/** Regular files under a folder on disk (symlinks are not followed: they read as absent). */
export function diskSource(top: string): FileSource {
  return {
    label: 'the work tree',
    folderName: path.basename(top),
    read: async (files, max) =>
      files.map((f) => {
        const file = path.join(top, f);
        let st: fs.Stats;
        try {
          st = fs.lstatSync(file);
        } catch {
          return null;
        }
        if (!st.isFile()) return null;
        return st.size > max ? 'too-large' : fs.readFileSync(file);
      }),
  };
}
