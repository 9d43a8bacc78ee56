// `flagpatch init` in a fork whose package.json has no name gives it one, so npm does not name
// the lock file after each clone's folder.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, cleanup, commitAll, flagpatch, fork, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

test('init names a nameless package.json after the fork and keeps its other fields', () => {
  const root = tmpdir();
  const up = upstream(root);
  write(up.dir, { 'package.json': `${JSON.stringify({ private: true, scripts: { build: 'make' } }, null, 2)}\n` });
  const base = commitAll(up.dir, 'a package.json without a name');
  const v = fork(up.dir, path.join(root, 'My Fork'));
  const r = flagpatch(v, ['init', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(r.code, 0, r.stderr);
  const pkg = JSON.parse(fs.readFileSync(path.join(v, 'package.json'), 'utf8'));
  assert.equal(Object.keys(pkg).slice(0, 3), ['name', 'private', 'scripts']);
  assert.is(pkg.name, 'my-fork');
  assert.is(pkg.scripts.build, 'make');
  assert.is(pkg.scripts.prepare, 'flagpatch hook install');
  for (const f of ['hooks/pre-commit', 'hooks/pre-push', 'hetero.txt']) {
    assert.is(fs.readFileSync(path.join(v, f), 'utf8'), fs.readFileSync(path.join(ROOT, 'templates', f), 'utf8'), `${f} is the shipped template`);
  }
  assert.is(flagpatch(v, ['init', '--device-type', 'A_X100', '--base-commit-id', base]).stdout, 'flagpatch init: already set up; nothing changed\n');
});

test('node_modules and build are never vendor code, even before npm install ignores them; a base with hooks/ is warned about', () => {
  const root = tmpdir();
  const up = upstream(root);
  write(up.dir, { 'hooks/train_hooks.py': 'def on_step(): pass\n' });
  const base = commitAll(up.dir, 'a base with a hooks/ folder of its own');
  const v = fork(up.dir, path.join(root, 'vendor'));
  const r = flagpatch(v, ['init', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'flagpatch init: warning: the base has hooks/, which flagpatch owns (its hook scripts live there): vendor edits under hooks/ never reach the patch');
  const cfg = JSON.parse(fs.readFileSync(path.join(v, '.flagpatchrc.json'), 'utf8'));
  assert.equal(cfg.exclude, ['package.json', 'package-lock.json', 'node_modules', 'build']);
  // A clone where npm install did not run: node_modules is not ignored, and git add -A takes it.
  write(v, { 'node_modules/left-pad/index.js': 'module.exports = 1;\n', 'flagscale/train.py': 'vendor\n' });
  commitAll(v, 'everything, node_modules included');
  const p = flagpatch(v, ['patch', '--json']);
  assert.is(p.code, 0, p.stderr);
  assert.is(JSON.parse(p.stdout).files, 1, 'only flagscale/train.py is vendor code');
});

test.run();
