// The git layer: one Git per repository, with typed methods for what the commands do (resolve
// a revision, read objects, edit refs and indexes, make commits). Processes start in
// src/git/run.ts, objects are read by the long-lived src/git/batch.ts, and git's output is
// parsed in src/git/parse.ts.
import path from 'node:path';
import { GitError, RefusedError } from './errors.js';
import { throwIfAborted } from './lifecycle.js';
import { writeLooseBlob, writeLooseTree } from './objects.js';
import { isOid, nullOid } from './oid.js';
import { BatchReader, type GitObject, type ObjectInfo } from './git/batch.js';
import { BATCH_HEADER_RE, parseEntries, parseRaw, parseTreeObject, type Entry, type RawChange } from './git/parse.js';
import { baseEnv, PINNED_CONFIG, REPO_VARIABLES, runGit, type Env, type RunOptions, type RunResult } from './git/run.js';

export { parseRaw, typeOfMode, type Entry, type RawChange } from './git/parse.js';
export type { Env, RunOptions, RunResult } from './git/run.js';
export type { GitObject, ObjectInfo } from './git/batch.js';

export class Git {
  /** The long-lived `cat-file --batch` of this instance, started on the first object read. */
  private reader: BatchReader | null = null;
  /** Parsed tree levels by the name they were read with (see treeLevel). */
  private readonly levels = new Map<string, Promise<Map<string, Entry> | null>>();

  private constructor(
    /** Top of the work tree; every command runs here, so paths are relative to it. */
    readonly top: string,
    /** Absolute path of the object directory, for temporary indexes that must not add objects. */
    readonly objectsDir: string,
    readonly gitDir: string,
    private readonly env: Env,
    /** Hex digits of an object id: 40 (SHA-1) or 64 (SHA-256). */
    readonly oidLength = 40,
    /** The caller's AbortSignal, if any: every process this Git starts checks it. */
    readonly signal?: AbortSignal,
  ) {}

  /** `sha1` or `sha256`: how object ids are computed (see src/objects.ts). */
  get objectFormat(): 'sha1' | 'sha256' {
    return this.oidLength === 64 ? 'sha256' : 'sha1';
  }

  /** Opens the repository whose work tree holds `cwd`: one `rev-parse` for all it needs. */
  static async open(cwd: string, env: Env = process.env, signal?: AbortSignal): Promise<Git> {
    const probe = await runGit(cwd, ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-path', 'objects', '--show-object-format'], {
      env: baseEnv(env),
      ok: [0, 128],
      signal,
    });
    if (probe.code !== 0) {
      throw new RefusedError(`${cwd} is not inside a git work tree (${probe.stderr.trim().split('\n')[0]})`, 'run flagpatch from inside the checkout of your fork');
    }
    const [top, gitDir, objects, format] = probe.stdout.toString('utf8').trimEnd().split('\n');
    return new Git(top, path.resolve(cwd, objects), gitDir, env, format === 'sha256' ? 64 : 40, signal);
  }

  /** The same repository with extra environment (e.g. a temporary GIT_INDEX_FILE). */
  with(env: Env): Git {
    return new Git(this.top, this.objectsDir, this.gitDir, { ...this.env, ...env }, this.oidLength, this.signal);
  }

  /**
   * Another repository (e.g. a materialized tree, or a clone in the making), with the
   * variables that locate this one (GIT_DIR, GIT_INDEX_FILE...) left out.
   */
  elsewhere(top: string): Git {
    // (Clones and trees made from this repository share its object format.)
    const env = { ...this.env };
    for (const key of REPO_VARIABLES) delete env[key];
    return new Git(top, path.join(top, '.git', 'objects'), path.join(top, '.git'), env, this.oidLength, this.signal);
  }

  /**
   * One object through this instance's long-lived `cat-file --batch`: any name git resolves
   * (`<sha>`, `<rev>^{commit}`, `<tree>:<path>`, `:<path>` from the index named by
   * GIT_INDEX_FILE); null when it names none. Requests made at once are answered in order by
   * the same process. `:<path>` reads the index as it was at the first such read of this
   * instance (git loads it once).
   */
  read(spec: string): Promise<GitObject | null> {
    if (/[\n\0]/.test(spec)) return this.objectsOnce([spec]).then((r) => r[0]);
    return this.batch().read(spec);
  }

  private batch(): BatchReader {
    return (this.reader ??= new BatchReader(this.top, PINNED_CONFIG, baseEnv(this.env), this.signal, async (spec) => (await this.sizesOnce([spec]))[0]));
  }

  async run(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const full = [...PINNED_CONFIG, ...args];
    const env = baseEnv({ ...this.env, ...opts.env });
    for (let attempt = 0; ; attempt++) {
      try {
        return await runGit(this.top, full, { ...opts, env, signal: this.signal });
      } catch (e) {
        const lock = e instanceof GitError ? /Unable to create '([^']+\.lock)': File exists/.exec(e.stderr)?.[1] : undefined;
        if (!lock || !opts.waitForLock) throw e;
        if (attempt >= 50) {
          throw new RefusedError(`another git process has held ${lock} for 5 seconds`, `wait for it to finish and retry; if no git process runs, remove the stale lock: rm '${lock}'`);
        }
        throwIfAborted(this.signal);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** stdout as UTF-8 text without its final newline. */
  async text(args: readonly string[], opts: RunOptions = {}): Promise<string> {
    return (await this.run(args, opts)).stdout.toString('utf8').replace(/\n$/, '');
  }

  /** The commit a revision names, or null when it names none. */
  async commit(rev: string): Promise<string | null> {
    return (await this.resolve(rev))?.commit ?? null;
  }

  /** The commit and tree a revision names (read by the batch reader); null when it names no commit. */
  async resolve(rev: string): Promise<{ commit: string; tree: string } | null> {
    if (rev.startsWith('-')) return null;
    const o = await this.read(`${rev}^{commit}`);
    const tree = o?.type === 'commit' ? /^tree ([0-9a-f]{40,64})\n/.exec(o.data.toString('latin1', 0, 100))?.[1] : undefined;
    return o && tree ? { commit: o.sha, tree } : null;
  }

  /** Objects named by `specs` (`<rev>:<path>`, ids...) through the batch reader; null = missing. */
  objects(specs: readonly string[]): Promise<(GitObject | null)[]> {
    return Promise.all(specs.map((s) => this.read(s)));
  }

  /** `objects` through a `cat-file --batch` of its own (names the batch reader cannot take). */
  private async objectsOnce(specs: readonly string[]): Promise<(GitObject | null)[]> {
    if (specs.length === 0) return [];
    const out = (await this.run(['cat-file', '--batch'], { input: specs.map((s) => `${s}\n`).join('') })).stdout;
    const found: (GitObject | null)[] = [];
    let pos = 0;
    for (let i = 0; i < specs.length; i++) {
      const nl = out.indexOf(0x0a, pos);
      const header = out.subarray(pos, nl).toString('utf8');
      const m = BATCH_HEADER_RE.exec(header);
      if (!m) {
        found.push(null); // "<spec> missing" or "ambiguous"
        pos = nl + 1;
        continue;
      }
      const size = Number(m[3]);
      found.push({ sha: m[1], type: m[2], data: out.subarray(nl + 1, nl + 1 + size) });
      pos = nl + 1 + size + 1;
    }
    return found;
  }

  /** Type and size of each object `specs` name, through the batch reader; null = missing. */
  async sizes(specs: readonly string[]): Promise<(ObjectInfo | null)[]> {
    if (!BatchReader.infoHere || specs.some((s) => /[\n\0]/.test(s))) return this.sizesOnce(specs);
    const reader = this.batch();
    return Promise.all(specs.map((s) => reader.info(s)));
  }

  /** `sizes` through a `cat-file --batch-check` of its own. */
  private async sizesOnce(specs: readonly string[]): Promise<(ObjectInfo | null)[]> {
    if (specs.length === 0) return [];
    const out = await this.text(['cat-file', '--batch-check'], { input: specs.map((s) => `${s}\n`).join('') });
    return out.split('\n').map((line) => {
      const [sha, type, size] = line.split(' ');
      return size !== undefined && isOid(sha) ? { sha, type, size: Number(size) } : null;
    });
  }

  /**
   * The blobs `specs` name, each at most `maxBytes` long: larger ones are 'too-large' and never
   * read, so a small commit naming a huge object costs no memory. null = missing or not a blob.
   */
  async blobsLimited(specs: readonly string[], maxBytes: number): Promise<(Buffer | 'too-large' | null)[]> {
    const sizes = await this.sizes(specs);
    const wanted = [...new Set(sizes.filter((s) => s && s.type === 'blob' && s.size <= maxBytes).map((s) => s!.sha))];
    const data = new Map((await this.objects(wanted)).map((o, i) => [wanted[i], o?.data ?? null]));
    return sizes.map((s) => (!s || s.type !== 'blob' ? null : s.size > maxBytes ? 'too-large' : (data.get(s.sha) ?? null)));
  }

  /**
   * The entries of `tree` at `paths`: each path's own entry (everything under it when it is a
   * folder), plus any file standing where one of its folders would be. Reads only the folders
   * on those paths, in one process, so the cost follows the paths, not the tree.
   */
  async entriesAt(tree: string, paths: readonly string[]): Promise<Entry[]> {
    if (paths.some((p) => p.includes('\n'))) return this.lsTree(tree, paths, true);
    const dirs = new Set<string>(['']);
    for (const p of paths) for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
    const list = [...dirs];
    const levels = await Promise.all(list.map((d) => this.treeLevel(d ? `${tree}:${d}` : `${tree}^{tree}`)));
    const trees = new Map<string, Map<string, Entry>>();
    list.forEach((d, i) => {
      const level = levels[i];
      if (level) trees.set(d, level);
    });
    const out = new Map<string, Entry>();
    const folders: string[] = [];
    for (const p of paths) {
      // Down the path one folder at a time, until it is missing or a file stands there.
      for (let dir = '', start = 0; ;) {
        const slash = p.indexOf('/', start);
        const at = slash === -1 ? p : p.slice(0, slash);
        const e = trees.get(dir)?.get(p.slice(start, slash === -1 ? undefined : slash));
        if (!e) break;
        if (e.mode !== '040000') {
          out.set(at, { ...e, path: at });
          break;
        }
        if (slash === -1) {
          folders.push(p);
          break;
        }
        dir = at;
        start = slash + 1;
      }
    }
    if (folders.length) for (const e of await this.lsTree(tree, folders, true)) out.set(e.path, e);
    return [...out.values()];
  }

  /**
   * One tree level, parsed, by name (null when `spec` names no tree). Remembered for the life
   * of this instance (up to 20,000 levels): `check` looks up the same folders of the same few
   * bases for every device's patch.
   */
  private treeLevel(spec: string): Promise<Map<string, Entry> | null> {
    const hit = this.levels.get(spec);
    if (hit) return hit;
    const level = this.read(spec).then((o) => (o?.type === 'tree' ? parseTreeObject(o.data, o.sha.length / 2) : null));
    if (this.levels.size < 20_000) this.levels.set(spec, level);
    level.catch(() => this.levels.delete(spec));
    return level;
  }

  /** The object id at `tree:path`, or null when there is none. */
  async objectAt(tree: string, file: string): Promise<string | null> {
    return (await this.read(`${tree}:${file}`))?.sha ?? null;
  }

  async blob(sha: string): Promise<Buffer> {
    const o = await this.read(sha);
    if (o?.type !== 'blob') throw new GitError(['cat-file', 'blob', sha], 128, `fatal: ${sha} is not a blob of this repository`);
    return o.data;
  }

  /** `git ls-tree` as entries; `paths` are literal, relative to the top. */
  async lsTree(tree: string, paths: readonly string[] | null, recursive: boolean): Promise<Entry[]> {
    if (paths === null && !recursive) {
      // One level: the tree object itself, through the batch reader.
      const o = await this.read(`${tree}^{tree}`);
      if (!o) throw new GitError(['ls-tree', tree], 128, `fatal: not a tree object: ${tree}`);
      return [...parseTreeObject(o.data, o.sha.length / 2).values()];
    }
    const flags = ['ls-tree', '-z', '--full-tree', ...(recursive ? ['-r'] : []), tree];
    const env = { GIT_LITERAL_PATHSPECS: '1' };
    if (paths === null) return parseEntries((await this.run(flags, { env })).stdout);
    const out: Entry[] = [];
    // Chunked so a large change never exceeds the command-line limit.
    for (let i = 0; i < paths.length; i += 500) {
      const chunk = paths.slice(i, i + 500);
      out.push(...parseEntries((await this.run([...flags, '--', ...chunk], { env })).stdout));
    }
    return out;
  }

  /** Entries of the index named by GIT_INDEX_FILE (or the default index). */
  async lsFiles(): Promise<Entry[]> {
    const out = (await this.run(['ls-files', '-s', '-z'])).stdout.toString('utf8');
    return out
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf('\t');
        const [mode, sha] = rec.slice(0, tab).split(' ');
        return { mode, sha, path: rec.slice(tab + 1) };
      });
  }

  /** Adds entries to the index named by GIT_INDEX_FILE; `null` sha removes the path. */
  async updateIndex(entries: readonly { mode: string; sha: string | null; path: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const input = entries.map((e) => (e.sha ? `${e.mode} ${e.sha}\t${e.path}\0` : `0 ${nullOid(this.oidLength)}\t${e.path}\0`)).join('');
    await this.run(['update-index', '-z', '--index-info'], { input });
  }

  /** Writes a blob (as `hash-object -w --no-filters` would, but without a process). */
  async hashObject(content: Buffer | string): Promise<string> {
    return writeLooseBlob(this.writeDir(), Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), this.objectFormat);
  }

  /** Writes a tree of one level; entries are names, not paths (as `mktree`, without a process). */
  async mktree(entries: readonly Entry[]): Promise<string> {
    for (const e of entries)
      if (!/^[0-9a-f]+$/.test(e.sha) || e.sha.length !== (this.objectFormat === 'sha256' ? 64 : 40) || /[/\0]/.test(e.path) || !e.path)
        throw new GitError(['mktree'], 128, `fatal: bad tree entry ${JSON.stringify(e)}`);
    return writeLooseTree(this.writeDir(), entries, this.objectFormat);
  }

  /** Where objects written in process go: GIT_OBJECT_DIRECTORY when this instance sets one. */
  private writeDir(): string {
    const dir = this.env.GIT_OBJECT_DIRECTORY;
    return dir ? path.resolve(this.top, dir) : this.objectsDir;
  }

  /** `git diff-tree -r --raw --no-renames` between two trees, limited by pathspecs. */
  async rawDiff(from: string, to: string, pathspecs: readonly string[]): Promise<RawChange[]> {
    const out = (await this.run(['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', from, to, '--', ...pathspecs])).stdout;
    return parseRaw(out).changes;
  }

  /**
   * Paths with uncommitted changes in the work tree or index (`git status`), untracked files
   * too unless `untracked` is false; null when this is not a repository git can read.
   */
  async changedPaths(untracked = true): Promise<string[] | null> {
    const r = await this.run(['status', '--porcelain', '-z', `--untracked-files=${untracked ? 'all' : 'no'}`], { ok: [128] });
    if (r.code !== 0) return null;
    const records = r.stdout.toString('utf8').split('\0').filter(Boolean);
    const paths: string[] = [];
    for (let i = 0; i < records.length; i++) {
      paths.push(records[i].slice(3));
      if (/^[RC]/.test(records[i])) i++; // a rename's or copy's source follows
    }
    return paths;
  }

  /**
   * Untracked (`?`) and ignored (`!`) files, and changed tracked ones (`M`), of this work tree;
   * `ignored` adds ignored files (what a user keeps under a .gitignored folder).
   */
  async statusEntries(ignored: boolean): Promise<{ kind: 'changed' | 'untracked' | 'ignored'; path: string }[]> {
    const r = await this.run(['status', '--porcelain=v1', '-z', '--untracked-files=all', ...(ignored ? ['--ignored=matching'] : [])]);
    const records = r.stdout.toString('utf8').split('\0').filter(Boolean);
    const out: { kind: 'changed' | 'untracked' | 'ignored'; path: string }[] = [];
    for (let i = 0; i < records.length; i++) {
      const code = records[i].slice(0, 2);
      out.push({ kind: code === '!!' ? 'ignored' : code === '??' ? 'untracked' : 'changed', path: records[i].slice(3) });
      if (/^[RC]/.test(code)) i++; // a rename's or copy's source follows
    }
    return out;
  }

  /** Paths whose entries differ between two commits or trees (renames as two paths). */
  async pathsChanged(from: string, to: string): Promise<string[]> {
    return (await this.run(['diff-tree', '-r', '-z', '--name-only', '--no-renames', from, to])).stdout.toString('utf8').split('\0').filter(Boolean);
  }

  /** Every ref with the commit it names. */
  async refs(): Promise<{ name: string; sha: string }[]> {
    return (await this.text(['for-each-ref', '--format=%(refname) %(objectname)']))
      .split('\n')
      .filter(Boolean)
      .map((l) => ({ name: l.slice(0, l.lastIndexOf(' ')), sha: l.slice(l.lastIndexOf(' ') + 1) }));
  }

  /** The work trees of this repository (the main one first). */
  async worktrees(): Promise<string[]> {
    return (await this.text(['worktree', 'list', '--porcelain']))
      .split('\n')
      .filter((l) => l.startsWith('worktree '))
      .map((l) => l.slice('worktree '.length));
  }

  /** Sets `ref` to `sha` (only when it is `old` now, if given; '' = must not exist), waiting for a held lock. */
  async updateRef(ref: string, sha: string, opts: { old?: string; message?: string } = {}): Promise<void> {
    await this.run(['update-ref', ...(opts.message ? ['-m', opts.message] : []), ref, sha, ...(opts.old !== undefined ? [opts.old] : [])], { waitForLock: true });
  }

  /** Deletes refs (one `update-ref --stdin`); with `old`, only while it still names that commit. */
  async deleteRefs(refs: readonly { name: string; old?: string }[]): Promise<void> {
    if (refs.length === 0) return;
    await this.run(['update-ref', '--stdin'], { input: refs.map((r) => `delete ${r.name}${r.old ? ` ${r.old}` : ''}\n`).join(''), waitForLock: true });
  }

  /** Loads `tree` into the index named by GIT_INDEX_FILE. */
  async readTree(tree: string): Promise<void> {
    await this.run(['read-tree', tree]);
  }

  /** Writes the index named by GIT_INDEX_FILE as a tree. */
  async writeTree(): Promise<string> {
    return this.text(['write-tree']);
  }

  /** A commit of `tree` with `parents` and `message`; `env` sets author and committer. */
  async commitTree(tree: string, parents: readonly string[], message: string, env?: Env): Promise<string> {
    return this.text(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'], { input: message, env });
  }

  /** Stages `sha` at `file` (mode 100644), or removes `file` when `sha` is null, waiting for a held lock. */
  async stage(file: string, sha: string | null): Promise<void> {
    const args = sha ? ['update-index', '--add', '--cacheinfo', `100644,${sha},${file}`] : ['update-index', '--force-remove', '--', file];
    await this.run(args, { waitForLock: true });
  }

  /** `git show -s --format=<format>` of one commit. */
  async show(rev: string, format: string): Promise<string> {
    return this.text(['show', '-s', `--format=${format}`, rev]);
  }

  /** Whether `ancestor` is `rev` or one of its ancestors. */
  async isAncestor(ancestor: string, rev: string): Promise<boolean> {
    return (await this.run(['merge-base', '--is-ancestor', ancestor, rev], { ok: [1] })).code === 0;
  }

  /** Whether this is a shallow clone (history cut at some depth). */
  async isShallow(): Promise<boolean> {
    return (await this.text(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** The names of the configured remotes. */
  async remotes(): Promise<string[]> {
    return (await this.text(['remote'])).split('\n').filter(Boolean);
  }

  /** Author identity and date (`Name <email> 1700000000 +0100`) git would use now. */
  async authorIdent(): Promise<string> {
    return this.text(['var', 'GIT_AUTHOR_IDENT']);
  }
}
