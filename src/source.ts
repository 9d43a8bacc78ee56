// Where the files that steer flagpatch (config, hetero.txt) are read from: the commit being
// judged, the index being committed, or a folder on disk. Each read is bounded: a file larger
// than the caller's limit is reported as 'too-large' and never loaded.
import fs from 'node:fs';
import path from 'node:path';
import type { Git } from './git.js';

/** A file's bytes; 'too-large' (never read), 'not-a-file' (a symlink, folder or submodule), or null (absent). */
export type Read = Buffer | 'too-large' | 'not-a-file' | null;

export interface FileSource {
  /** Names the source in messages, e.g. `HEAD (1a2b3c4d5e6f)` or `the index`. */
  label: string;
  /** The repository folder's name: the default `name` of materialized trees. */
  folderName: string;
  /** Each file's bytes, or why there are none. */
  read(files: readonly string[], maxBytes: number): Promise<Read[]>;
}

/**
 * Files of a commit's tree (or any tree-ish). Their modes are read first (the folder levels on
 * their paths, through the batch reader), so a symlink is never read as if it were the file:
 * one commit has one config, whoever reads it.
 */
export function treeSource(git: Git, tree: string, label: string): FileSource {
  return {
    label,
    folderName: path.basename(git.top),
    read: async (files, max) => {
      const entries = new Map((await git.entriesAt(tree, files)).map((e) => [e.path, e]));
      const regular = files.map((f) => entries.get(f)).map((e) => (e && (e.mode === '100644' || e.mode === '100755') ? e.sha : null));
      const data = await git.blobsLimited(
        regular.filter((x): x is string => x !== null),
        max,
      );
      let i = 0;
      return files.map((f, k) => (regular[k] !== null ? data[i++] : entries.has(f) ? 'not-a-file' : null));
    },
  };
}

/** Files of the index named by the Git's GIT_INDEX_FILE (stage 0: what a commit will hold). */
export function indexSource(git: Git): FileSource {
  return {
    label: 'the index',
    folderName: path.basename(git.top),
    read: (files, max) =>
      git.blobsLimited(
        files.map((f) => `:${f}`),
        max,
      ),
  };
}

/** Regular files under a folder on disk (a symlink is never followed: it is 'not-a-file'). */
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
        if (!st.isFile()) return 'not-a-file';
        return st.size > max ? 'too-large' : fs.readFileSync(file);
      }),
  };
}
