// `--dir` safety: `/`, `..`, `.`, the repository itself, a path through a symlink, a folder
// holding someone's files. flagpatch deletes nothing it did not create.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, hash, snapshot, tmpdir, upstreamWithPatch, write } from './helpers.js';

test.after.each(cleanup);

/** Every file and folder under `dir` (symlinks not followed), with content hashes. */
function listing(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const rel = path.relative(dir, full);
      if (skip(rel)) continue;
      const st = fs.lstatSync(full);
      if (st.isDirectory()) {
        out.push(`${rel}/`);
        walk(full);
      } else out.push(`${rel} ${st.isSymbolicLink() ? `-> ${fs.readlinkSync(full)}` : hash(fs.readFileSync(full))}`);
    }
  };
  walk(dir);
  return out;
}

/** Upstream (at root/<name>) holding A_X100's patch. */
function setup(name = 'FlagScale', at?: string) {
  const root = tmpdir();
  const up = upstreamWithPatch(root, name);
  fs.rmSync(up.vendor, { recursive: true, force: true });
  let dir = up.dir;
  if (at) {
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.renameSync(up.dir, at);
    dir = at;
  }
  return { root, dir, args: ['unpatch', '--device-type', 'A_X100', '--commit-id', up.base.slice(0, 6)] };
}

test('--dir / is refused (exit 2) and creates nothing', () => {
  const { dir, args } = setup();
  const r = flagpatch(dir, [...args, '--dir', '/']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'root of the file system');
  assert.not.ok(fs.existsSync('/A_X100'));
});

test('--dir .. and --dir . add their tree and change nothing else', () => {
  const { root, dir, args } = setup();
  write(root, { 'neighbour/file.txt': 'keep\n' });
  const before = listing(root, (rel) => rel.startsWith('FlagScale/.git'));
  const repoBefore = snapshot(dir);
  assert.is(flagpatch(dir, [...args, '--dir', '..']).code, 0);
  const after = listing(root, (rel) => rel.startsWith('FlagScale/.git') || rel.startsWith('A_X100'));
  assert.equal(after, before, 'nothing beside the new tree changed');
  assert.ok(fs.existsSync(path.join(root, 'A_X100', 'FlagScale', 'flagscale', 'train.py')));
  assert.equal(snapshot(dir), repoBefore);

  assert.is(flagpatch(dir, [...args, '--dir', '.']).code, 0);
  const inside = snapshot(dir);
  const added = Object.keys(inside.files).filter((f) => !(f in repoBefore.files));
  assert.ok(added.length > 0 && added.every((f) => f.startsWith('A_X100/FlagScale/')), `only the new tree was added: ${added.slice(0, 3)}`);
  assert.equal({ ...inside, files: {} }, { ...repoBefore, files: {} }, 'index, HEAD, refs and stash unchanged');
  for (const [f, h] of Object.entries(repoBefore.files)) assert.is(inside.files[f], h, f);
});

test('a --dir whose target is the repository itself is refused, even with --force', () => {
  const base = path.join(tmpdir(), 'outer');
  const { dir, args } = setup('FlagScale', path.join(base, 'A_X100', 'FlagScale'));
  const before = snapshot(dir);
  const r = flagpatch(dir, [...args, '--dir', base, '--force']);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'would replace the repository itself');
  assert.equal(snapshot(dir), before);
  // One level up, DIR/<DEV>/<name> is a new folder beside the repository: made, repository intact.
  const r2 = flagpatch(dir, [...args, '--dir', path.dirname(base), '--force']);
  assert.is(r2.code, 0, r2.stderr);
  assert.ok(fs.existsSync(path.join(path.dirname(base), 'A_X100', 'FlagScale', '.git', 'flagpatch-tree.json')));
  assert.equal(snapshot(dir), before, 'the repository is intact');
});

test('a --dir through a symlink materializes at its target and touches nothing else there', () => {
  const { root, dir, args } = setup();
  write(root, { 'elsewhere/theirs.txt': 'theirs\n', 'elsewhere/A_X100/notes.txt': 'notes\n' });
  fs.symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'link'));
  const before = listing(path.join(root, 'elsewhere'));
  const r = flagpatch(dir, [...args, '--dir', path.join(root, 'link')]);
  assert.is(r.code, 0, r.stderr);
  const after = listing(path.join(root, 'elsewhere'), (rel) => rel.startsWith('A_X100/FlagScale'));
  assert.equal(after, before);
  assert.ok(fs.lstatSync(path.join(root, 'link')).isSymbolicLink(), 'the link itself is kept');
  assert.ok(fs.existsSync(path.join(root, 'elsewhere', 'A_X100', 'FlagScale', 'flagscale', 'train.py')));
});

test("a folder holding someone's files is refused untouched; a failed run removes only what it made", () => {
  const { root, dir, args } = setup();
  write(root, { 'build/A_X100/FlagScale/mine.txt': 'mine\n', 'build/other.txt': 'other\n' });
  const before = listing(path.join(root, 'build'));
  const r = flagpatch(dir, [...args, '--dir', path.join(root, 'build')]);
  assert.is(r.code, 1);
  assert.equal(listing(path.join(root, 'build')), before);
  // A device with no patch: refused before anything is made.
  const r2 = flagpatch(dir, ['unpatch', '--device-type', 'B_Y100', '--commit-id', args[4], '--dir', path.join(root, 'fresh')]);
  assert.is(r2.code, 1);
  assert.not.ok(fs.existsSync(path.join(root, 'fresh')));
});

test.run();
