// The in-process replay of a patch (src/patch/replay.ts) against `git apply` itself: on every
// kind of change, the entries it computes are the ones git's apply gives; where it is not
// sure (a hunk that does not match exactly, a path in the way, a deletion leaving content) it
// declines, so git decides. Objects written in process (src/objects.ts) are read back by git.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Entry } from '../src/git.js';
import { blobId, writeLooseBlob, writeLooseTree } from '../src/objects.js';
import { PATCH_DIFF_FLAGS } from '../src/patch/make.js';
import { parsePatch } from '../src/patch/parse.js';
import { replayMessage } from '../src/patch/replay.js';
import { cleanup, commitAll, git, gitBuf, initRepo, tmpdir, write } from './helpers.js';

test.after.each(cleanup);

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('');
const bin = (seed: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) % 256));

/** A base and a vendor commit that between them hold every kind of change a patch carries. */
function repo() {
  const dir = initRepo(path.join(tmpdir(), 'r'));
  write(dir, {
    'many.py': lines(200),
    'first.py': lines(10),
    'last.py': lines(10),
    'nonl-add.txt': 'a\nb',
    'nonl-remove.txt': 'a\nb\n',
    'nonl-both.txt': 'a\nb',
    'crlf.txt': 'one\r\ntwo\r\nthree\r\n',
    'gone.py': lines(5),
    'gone-empty.txt': '',
    'moved.py': lines(30, 'moved'),
    'moved-edited.py': lines(30, 'me'),
    'mode.sh': '#!/bin/sh\n',
    'mode-edit.sh': '#!/bin/sh\necho 1\n',
    'link-target.txt': 'x\n',
    'delta.bin': bin(1, 6000),
    'gone.bin': bin(2, 300),
    'ü dir/ä b.py': 'x = 1\n',
    'whole.py': lines(3),
  });
  fs.symlinkSync('link-target.txt', path.join(dir, 'link'));
  const base = commitAll(dir, 'base');
  const many = lines(200).split('\n');
  for (const i of [5, 60, 61, 120, 198]) many[i] = `changed ${i}`;
  write(dir, {
    'many.py': many.join('\n'),
    'first.py': `new first\n${lines(10).split('\n').slice(1).join('\n')}`,
    'last.py': `${lines(10)}appended\n`,
    'nonl-add.txt': 'a\nb\n',
    'nonl-remove.txt': 'a\nb',
    'nonl-both.txt': 'a\nc',
    'crlf.txt': 'one\r\nTWO\r\nthree\r\n',
    'gone.py': null,
    'gone-empty.txt': null,
    'moved.py': null,
    'moved/here.py': lines(30, 'moved'),
    'moved-edited.py': null,
    'moved/edited.py': lines(30, 'me').replace('me 3\n', 'me three\n'),
    'mode-edit.sh': '#!/bin/sh\necho 2\n',
    'added.py': lines(4, 'added'),
    'added-empty.txt': '',
    'delta.bin': Buffer.concat([bin(1, 3000), Buffer.from('vendor'), bin(1, 3000).subarray(100)]),
    'new.bin': bin(3, 500),
    'gone.bin': null,
    'ü dir/ä b.py': 'x = 2\n',
    'whole.py': lines(3, 'other'),
  });
  fs.chmodSync(path.join(dir, 'mode.sh'), 0o755);
  fs.chmodSync(path.join(dir, 'mode-edit.sh'), 0o755);
  fs.rmSync(path.join(dir, 'link'));
  fs.symlinkSync('added.py', path.join(dir, 'link'));
  fs.symlinkSync('many.py', path.join(dir, 'new-link'));
  const vendor = commitAll(dir, 'vendor');
  return { dir, base, vendor };
}

function entries(dir: string, rev: string, env: NodeJS.ProcessEnv = {}): Map<string, Entry> {
  const out = rev === ':index' ? git(dir, ['ls-files', '-s', '-z'], { env }) : git(dir, ['ls-tree', '-r', '-z', rev]);
  return new Map(
    out
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf('\t');
        const f = rec.slice(0, tab).split(' ');
        const p = rec.slice(tab + 1);
        return [p, { mode: f[0], sha: rev === ':index' ? f[1] : f[2], path: p }];
      }),
  );
}

const read = (dir: string) => async (sha: string) => gitBuf(dir, ['cat-file', 'blob', sha]);

test('replaying every kind of change gives exactly what git apply gives', async () => {
  const { dir, base, vendor } = repo();
  const diff = gitBuf(dir, ['-c', 'core.quotepath=off', 'diff', ...PATCH_DIFF_FLAGS, base, vendor]);
  const [message] = parsePatch(diff, 'test.patch');
  const before = entries(dir, base);
  const changes = await replayMessage(message, before, read(dir), 'sha1');
  assert.ok(changes, 'every file diff replayed in process');

  const ours = new Map(before);
  for (const [p, e] of changes!) {
    if (e) ours.set(p, e);
    else ours.delete(p);
  }
  const index = path.join(tmpdir(), 'index');
  git(dir, ['read-tree', base], { env: { GIT_INDEX_FILE: index } });
  git(dir, ['apply', '--cached'], { env: { GIT_INDEX_FILE: index }, input: diff });
  const theirs = entries(dir, ':index', { GIT_INDEX_FILE: index });
  assert.equal(
    [...ours.values()].sort((a, b) => a.path.localeCompare(b.path)),
    [...theirs.values()].sort((a, b) => a.path.localeCompare(b.path)),
  );
  assert.equal(theirs, entries(dir, vendor)); // and both are the vendor tree
  assert.ok(message.files.some((f) => f.binary) && [...changes!.keys()].includes('new-link'));
});

test('it declines wherever it is not sure, so git decides', async () => {
  const { dir, base, vendor } = repo();
  const diff = gitBuf(dir, ['diff', ...PATCH_DIFF_FLAGS, base, vendor, '--', 'many.py', 'gone.py', 'added.py', 'delta.bin', 'moved.py', 'moved']);
  const [message] = parsePatch(diff, 'test.patch');
  const before = entries(dir, base);
  assert.ok(await replayMessage(message, before, read(dir), 'sha1'));
  const other = (file: string, content: string | Buffer) => {
    const sha = git(dir, ['hash-object', '-w', '--stdin'], { input: Buffer.from(content) });
    return new Map([...before, [file, { mode: '100644', sha, path: file }]]);
  };
  // A context line that differs; the same hunk one line further down (git would apply it with
  // an offset); a deletion that would leave content; a created path already there; a binary
  // preimage that is not the one the patch names.
  const cases: [string, Map<string, Entry>][] = [
    ['context differs', other('many.py', lines(200).replace('line 3\n', 'line three\n'))],
    ['offset', other('many.py', `extra\n${lines(200)}`)],
    ['deletion leaves content', other('gone.py', `${lines(5)}more\n`)],
    ['created path in the way', other('added.py', 'already\n')],
    ['renamed under a file', new Map([...before, ['moved', { mode: '100644', sha: before.get('first.py')!.sha, path: 'moved' }]])],
    ['created over a folder', new Map([...before, ['added.py/inner', { mode: '100644', sha: before.get('first.py')!.sha, path: 'added.py/inner' }]])],
    ['binary preimage', other('delta.bin', bin(9, 6000))],
  ];
  for (const [why, map] of cases) assert.is(await replayMessage(message, map, read(dir), 'sha1'), null, why);
});

test('blobs and trees written in process are the objects git would write, in sha1 and sha256 repositories', () => {
  for (const format of ['sha1', 'sha256'] as const) {
    const dir = path.join(tmpdir(), format);
    fs.mkdirSync(dir);
    git(dir, ['init', '-q', `--object-format=${format}`]);
    const objects = path.join(dir, '.git', 'objects');
    const content = Buffer.concat([Buffer.from('patch text ü\n'), bin(4, 3000)]);
    const blob = writeLooseBlob(objects, content, format);
    assert.is(blob, git(dir, ['hash-object', '--stdin'], { input: content }));
    assert.is(blobId(content, format), blob);
    assert.ok(gitBuf(dir, ['cat-file', 'blob', blob]).equals(content));
    assert.is(writeLooseBlob(objects, content, format), blob); // again: kept, not rewritten
    const sub = writeLooseTree(objects, [{ mode: '100644', sha: blob, path: 'f' }], format);
    const names = ['a.b', 'a', 'a-b', 'b'];
    const tree = writeLooseTree(
      objects,
      names.map((n) => (n === 'a' ? { mode: '040000', sha: sub, path: n } : { mode: n === 'b' ? '100755' : '100644', sha: blob, path: n })),
      format,
    );
    const mktree = git(dir, ['mktree'], { input: Buffer.from(`${git(dir, ['ls-tree', tree])}\n`) });
    assert.is(tree, mktree);
    assert.is(git(dir, ['ls-tree', '--name-only', tree]), 'a-b\na.b\na\nb');
    assert.is(git(dir, ['fsck', '--strict', '--no-dangling']), '');
    assert.equal(fs.readdirSync(path.join(objects, blob.slice(0, 2))), [blob.slice(2)]); // no temporary file left
  }
});

test.run();
