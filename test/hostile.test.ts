// A patch from someone else cannot write outside the tree it is applied to. Every patch of the
// hostile corpus (test/fixtures/hostile, plus a generated 50 MB hunk) is refused by `check`
// and by `unpatch --dir` with a clear message and exit 1, and nothing is written anywhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, cleanup, commitAll, flagpatch, forgeries, git, snapshot, tmpdir, upstream } from './helpers.js';

const CORPUS = path.join(ROOT, 'test', 'fixtures', 'hostile');
const expect: Record<string, string> = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expect.json'), 'utf8'));

test.after.each(cleanup);

/** Paths anywhere the corpus aims at, which must never appear. */
function escapes(root: string): string[] {
  const found: string[] = [];
  for (const dir of [root, path.dirname(root), os.tmpdir(), '/tmp']) {
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (name.startsWith('flagpatch-evil')) found.push(path.join(dir, name));
  }
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const full = path.join(d, name);
      if (name.includes('flagpatch-evil') || (name === 'post-checkout' && d.endsWith(path.join('.git', 'hooks')))) found.push(full);
      if (fs.lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(root);
  return found;
}

function corpus(): [string, Buffer][] {
  const files = fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.patch'))
    .sort();
  const out: [string, Buffer][] = files.map((f) => [f, fs.readFileSync(path.join(CORPUS, f))]);
  // 50 MB of added lines in one hunk whose context does not match the base.
  const line = `+${'A'.repeat(1000)}\n`;
  const count = 50 * 1024;
  const head = `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: Mallory <m@evil.example>\nSubject: [PATCH] [EVIL] huge\n\n---\ndiff --git a/README.md b/README.md\nindex 1111111..2222222 100644\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,${count} @@\n-not what the base holds\n`;
  out.push(['huge-hunk (generated: 50 MB)', Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(count))])]);
  return out;
}

test('every hostile patch is refused by check and unpatch --dir, and nothing is written', () => {
  const root = tmpdir();
  const up = upstream(root);
  fs.symlinkSync('/tmp', path.join(up.dir, 'outlink'));
  const base = commitAll(up.dir, 'a symlink out of the tree, as some repositories have');
  const id = base.slice(0, 6);
  const rel = `hardwares/EVIL/${id}/${id}.patch`;
  const patches = corpus();
  assert.equal(patches.map(([f]) => f).sort(), Object.keys(expect).sort(), 'expect.json covers the corpus');
  const before = snapshot(up.dir);
  const index = path.join(root, 'index');
  for (const [name, content] of patches) {
    // check on a commit holding the patch (made with plumbing, so the work tree is untouched)
    const file = path.join(root, 'p.patch');
    fs.writeFileSync(file, content);
    const blob = git(up.dir, ['hash-object', '-w', file]);
    git(up.dir, ['read-tree', base], { env: { GIT_INDEX_FILE: index } });
    git(up.dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${rel}`], { env: { GIT_INDEX_FILE: index } });
    const tree = git(up.dir, ['write-tree'], { env: { GIT_INDEX_FILE: index } });
    const commit = git(up.dir, ['commit-tree', tree, '-p', base, '-m', name]);
    const c = flagpatch(up.dir, ['check', commit]);
    assert.is(c.code, 1, `${name}: check exit`);
    assert.match(c.stdout, rel, `${name}: check names the patch`);
    assert.match(c.stdout, expect[name], `${name}: check says why (${c.stdout})`);
    assert.not.match(c.stderr, /\n\s+at /, `${name}: no stack trace`);
    assert.equal(forgeries(c.stdout + c.stderr), [], `${name}: no line can pass for a workflow command or hold a control character`);

    // unpatch --dir from a work tree holding the patch
    fs.mkdirSync(path.dirname(path.join(up.dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(up.dir, rel), content);
    const out = path.join(root, 'out');
    const u = flagpatch(up.dir, ['unpatch', '--device-type', 'EVIL', '--commit-id', id, '--dir', out]);
    assert.is(u.code, 1, `${name}: unpatch exit (${u.stderr})`);
    assert.match(u.stderr, expect[name], `${name}: unpatch says why (${u.stderr})`);
    assert.match(u.stderr, '  fix: ');
    assert.equal(forgeries(u.stdout + u.stderr), [], `${name}: unpatch output is escaped`);
    assert.not.ok(fs.existsSync(out), `${name}: nothing created under --dir`);
    fs.rmSync(path.join(up.dir, 'hardwares'), { recursive: true });
    assert.equal(escapes(root), [], `${name}: nothing written outside`);
    assert.equal(snapshot(up.dir), before, `${name}: the repository is as it was`);
  }
});

test.run();
