// The long-lived object reader (git cat-file --batch-command).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { AbortedError, GitError } from '../errors.js';
import { reasonOf } from '../lifecycle.js';
import { BATCH_HEADER_RE } from './parse.js';
import { spawnGit, traceStart, type Env } from './run.js';

/** An object as `cat-file --batch` gives it. */
export interface GitObject {
  sha: string;
  type: string;
  data: Buffer;
}

/** What `cat-file` tells of an object without reading it. */
export interface ObjectInfo {
  sha: string;
  type: string;
  size: number;
}

type Request =
  | { kind: 'contents'; spec: string; resolve: (o: GitObject | null) => void; reject: (e: Error) => void }
  | { kind: 'info'; spec: string; resolve: (o: ObjectInfo | null) => void; reject: (e: Error) => void };

/** Whether this git has `cat-file --batch-command` (2.36+); learnt from the first reader. */
let batchCommand: boolean | undefined;

/**
 * A long-lived `git cat-file --batch-command`: every object a run reads, and every size it
 * asks about before reading (bounded reads of untrusted files), goes through one process
 * instead of one per lookup (a git process costs 2-20 ms on a 2-core machine before it does
 * anything). Requests are written as they come; git answers in order. With a git older than
 * 2.36 it is a `cat-file --batch` (contents only; sizes then take a `--batch-check` process).
 * While nothing is pending the process does not keep node alive, and after a second of
 * idleness it is ended (library users may open many repositories). It only reads, so it is not
 * among the processes an abort waits for (src/lifecycle.ts): it ends when its stdin closes,
 * with node at the latest.
 */
export class BatchReader {
  private child: ChildProcessWithoutNullStreams | null = null;
  private pending: Request[] = [];
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes needed before the next answer is complete. */
  private need = 0;
  private idle: NodeJS.Timeout | null = null;
  private queued: string[] = [];
  /** When the last answer left nothing pending (the idle timer ends the process a second later). */
  private idleSince = 0;
  private count = 0;
  private answered = 0;
  private started = 0n;
  private held = false;

  constructor(
    private readonly cwd: string,
    private readonly config: readonly string[],
    private readonly env: Env,
    /** No request is sent once it is aborted (the process itself only reads, and is not waited for). */
    private readonly signal: AbortSignal | undefined,
    /** Sizes for a git without --batch-command. */
    private readonly infoElsewhere: (spec: string) => Promise<ObjectInfo | null>,
  ) {}

  /** Whether `info` is answered by this process rather than another one. */
  static get infoHere(): boolean {
    return batchCommand !== false;
  }

  read(spec: string): Promise<GitObject | null> {
    return new Promise((resolve, reject) => this.send({ kind: 'contents', spec, resolve, reject }));
  }

  info(spec: string): Promise<ObjectInfo | null> {
    if (batchCommand === false) return this.infoElsewhere(spec);
    return new Promise((resolve, reject) => this.send({ kind: 'info', spec, resolve, reject }));
  }

  private get args(): string[] {
    return [...this.config, 'cat-file', batchCommand === false ? '--batch' : '--batch-command'];
  }

  private send(r: Request): void {
    if (this.signal?.aborted) return r.reject(new AbortedError(reasonOf(this.signal)));
    if (r.kind === 'info' && batchCommand === false) {
      this.infoElsewhere(r.spec).then(r.resolve, r.reject);
      return;
    }
    const child = this.child ?? this.start();
    if (this.pending.length === 0) this.hold(child, true);
    this.pending.push(r);
    this.count++;
    // Requests made in the same tick go to git in one write.
    if (this.queued.length === 0) process.nextTick(() => this.flush(child));
    this.queued.push(batchCommand === false ? `${r.spec}\n` : `${r.kind} ${r.spec}\n`);
  }

  private flush(child: ChildProcessWithoutNullStreams): void {
    if (this.child !== child) return; // ended meanwhile: its requests were failed or sent again
    const text = this.queued.join('');
    this.queued = [];
    child.stdin.write(text);
  }

  private start(): ChildProcessWithoutNullStreams {
    traceStart(this.env);
    this.started = process.hrtime.bigint();
    this.count = 0;
    this.answered = 0;
    this.held = true; // spawned referenced
    const args = this.args;
    const child = spawnGit(this.cwd, args, this.env);
    this.child = child;
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => this.take(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // reported through 'close'
    child.on('error', (e) => this.fail(child, new GitError(args, null, `cannot run git: ${e.message}`)));
    // Traced when it ends, or when node exits first (it is not waited for). Only then does it
    // listen to the process: a library adds no listener of its own to its host.
    const tracing = this.env.FLAGPATCH_TRACE === '1';
    const trace = () => {
      process.stderr.write(`flagpatch trace: ${(Number(process.hrtime.bigint() - this.started) / 1e6).toFixed(1)} ms git cat-file ${args[args.length - 1]} (long-lived, ${this.count} objects)\n`);
    };
    if (tracing) process.once('exit', trace);
    child.on('close', (code) => {
      if (tracing) {
        process.removeListener('exit', trace);
        trace();
      }
      const stderr = Buffer.concat(err).toString('utf8');
      if (batchCommand === undefined && code === 129 && this.answered === 0 && this.child === child) {
        // A git before 2.36: the same requests again, to a `--batch`.
        batchCommand = false;
        this.child = null;
        this.queued = [];
        const again = this.pending.splice(0);
        this.chunks = [];
        this.size = 0;
        this.need = 0;
        for (const r of again) this.send(r);
        return;
      }
      this.fail(child, new GitError(args, code, stderr || 'git cat-file ended early'));
    });
    return child;
  }

  /** Whether the process keeps node alive: only while an answer is awaited. */
  private hold(child: ChildProcessWithoutNullStreams, on: boolean): void {
    if (this.held === on) return;
    this.held = on;
    for (const h of [child, child.stdin, child.stdout, child.stderr] as { ref(): void; unref(): void }[]) {
      if (on) h.ref();
      else h.unref();
    }
  }

  private fail(child: ChildProcessWithoutNullStreams, e: Error): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.idle) {
      clearTimeout(this.idle);
      this.idle = null;
    }
    for (const p of this.pending.splice(0)) p.reject(e);
    this.queued = [];
    this.chunks = [];
    this.size = 0;
    this.need = 0;
  }

  /**
   * Parses answers: `<sha> <type> <size>\n` followed, for contents, by `<data>\n`; or
   * `<spec> missing|ambiguous\n`. Chunks of a large object are only joined once it is complete.
   */
  private take(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < this.need) return;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.need = 0;
    while (this.pending.length) {
      const nl = buf.indexOf(0x0a);
      if (nl === -1) break;
      const m = BATCH_HEADER_RE.exec(buf.toString('latin1', 0, nl));
      const r = this.pending[0];
      if (!m || r.kind === 'info') {
        buf = buf.subarray(nl + 1);
        this.pending.shift();
        this.answered++;
        batchCommand ??= true;
        if (r.kind === 'info') r.resolve(m ? { sha: m[1], type: m[2], size: Number(m[3]) } : null);
        else r.resolve(null);
        continue;
      }
      const end = nl + 1 + Number(m[3]);
      if (buf.length < end + 1) {
        this.need = end + 1;
        break;
      }
      const data = buf.subarray(nl + 1, end);
      buf = buf.subarray(end + 1);
      this.pending.shift();
      this.answered++;
      batchCommand ??= true;
      r.resolve({ sha: m[1], type: m[2], data });
    }
    this.chunks = buf.length ? [buf] : [];
    this.size = buf.length;
    if (this.pending.length === 0 && this.child) {
      this.hold(this.child, false);
      this.idleSince = Date.now();
      if (!this.idle) this.armIdle(this.child, 1000);
    }
  }

  /** One timer for the process's life, not one per answer: it re-arms while reads go on. */
  private armIdle(child: ChildProcessWithoutNullStreams, ms: number): void {
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.child !== child) return;
      const quiet = Date.now() - this.idleSince;
      if (this.pending.length === 0 && quiet >= 1000) child.stdin.end();
      else this.armIdle(child, this.pending.length ? 1000 : 1000 - quiet);
    }, ms);
    this.idle.unref();
  }
}
