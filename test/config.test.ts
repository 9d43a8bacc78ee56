// Configuration: data only, read from the commit judged; every key honoured, every problem
// reported at once with file, key, expected and found (exit 2); the shipped schema is the
// validator's own table.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonSchema, matches } from '../src/config-keys.js';
import { cleanup, commitAll, flagpatch, fork, git, ROOT, tmpdir, upstream, write } from './helpers.js';

test.after.each(cleanup);

function vendor() {
  const root = tmpdir();
  const up = upstream(root);
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { 'flagscale/train.py': 'vendor\n', 'generated/cache.bin': 'x', 'flagscale/local.cfg': 'y' });
  commitAll(v, 'vendor');
  return { root, up, v };
}

test('bad values are refused all at once: file, key, expected and found (exit 2)', () => {
  const { v } = vendor();
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A X', idLength: 2, patchDir: '../out', exclude: 'x', color: true }) });
  commitAll(v, 'bad config');
  const r = flagpatch(v, ['check']);
  assert.is(r.code, 2);
  for (const part of [
    '.flagpatchrc.json: 5 problems',
    'deviceType: expected a device name',
    'found the string "A X"',
    'idLength: expected a whole number from 4 to 40, found number 2',
    'patchDir: expected a relative path',
    'exclude: expected a list',
    'color: unknown key',
  ]) {
    assert.match(r.stderr, part);
  }
  assert.not.match(r.stderr, /\n\s+at /);
});

test('a config file that is not valid JSON is bad config (exit 2) naming the file', () => {
  const { v } = vendor();
  write(v, { '.flagpatchrc.json': '{ "deviceType": ' });
  commitAll(v, 'broken config');
  const r = flagpatch(v, ['status']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '.flagpatchrc.json');
});

test('config in package.json or YAML; patchDir, idLength, exclude and name are honoured', () => {
  const { v, up, root } = vendor();
  write(v, {
    'package.json': JSON.stringify({ name: 'fork', flagpatch: { deviceType: 'A_X100', baseCommit: up.base, patchDir: 'vendor-patches', idLength: 8, exclude: ['generated', '*.cfg'], name: 'FS' } }),
  });
  commitAll(v, 'config');
  const r = flagpatch(v, ['patch', '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const id = up.base.slice(0, 8);
  assert.is(result.patchPath, `vendor-patches/A_X100/${id}/${id}.patch`);
  const text = git(v, ['show', `flagpatch/A_X100:${result.patchPath}`]);
  assert.match(text, 'flagscale/train.py');
  assert.not.match(text, 'generated/cache.bin');
  assert.not.match(text, 'local.cfg');
  assert.match(text, 'package.json', 'package.json is vendor code unless excluded (init excludes it where the base lacks it)');
  git(v, ['checkout', '-q', 'flagpatch/A_X100', '--', 'vendor-patches']);
  commitAll(v, 'patch');
  const u = flagpatch(v, ['unpatch', '--dir', path.join(root, 'out')]);
  assert.is(u.code, 0, u.stderr);
  assert.ok(fs.existsSync(path.join(root, 'out', 'A_X100', 'FS', 'flagscale', 'train.py')));

  fs.rmSync(path.join(v, 'package.json'));
  write(v, { '.flagpatchrc.yaml': `deviceType: B_Y100\nbaseCommit: ${up.base}\n` });
  commitAll(v, 'yaml config');
  const y = flagpatch(v, ['patch', '--json']);
  assert.is(y.code, 0, y.stderr);
  assert.is(JSON.parse(y.stdout).device, 'B_Y100');
});

test("the shipped JSON Schema is the validator's own table, and refuses what the validator refuses", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'flagpatchrc.schema.json'), 'utf8'));
  assert.equal(schema, JSON.parse(JSON.stringify(jsonSchema())), 'run npm run schema to regenerate it');
  assert.is(schema.additionalProperties, false);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.ok(pkg.files.includes('schema'), 'the schema ships with the package');
  const ok = (key: string, v: unknown) => matches(schema.properties[key], v);
  for (const bad of ['.', '..', 'a/b', 'x\u0001']) assert.not.ok(ok('name', bad), `name ${bad}`);
  assert.ok(ok('name', 'FlagScale'));
  for (const bad of ['../x', '/abs', 'a/../b', '.git', 'x/.GIT/y', 'a//b', '.', 'a\\b']) assert.not.ok(ok('patchDir', bad), `patchDir ${bad}`);
  assert.ok(ok('patchDir', 'hardwares'));
  assert.ok(ok('patchDir', 'vendor/patches/'));
  assert.not.ok(ok('exclude', [':(top)x']));
  assert.ok(ok('exclude', ['generated', '*.cfg']));
  assert.not.ok(ok('idLength', 3));
  assert.not.ok(ok('baseCommit', '--output=x'));
});

test('JavaScript configs are refused, never run; YAML $import is refused', () => {
  const { v } = vendor();
  const marker = path.join(v, 'flagpatch-evil-ran');
  write(v, { 'flagpatch.config.js': `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); module.exports = {};` });
  commitAll(v, 'a code config');
  for (const args of [['check'], ['status'], ['patch', '--device-type', 'A_X100', '--base-commit-id', 'HEAD~1']]) {
    const r = flagpatch(v, args);
    assert.is(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, 'flagpatch.config.js: JavaScript configs are not loaded');
    assert.match(r.stderr, 'fix: move the settings to .flagpatchrc.json');
  }
  assert.not.ok(fs.existsSync(marker), 'the config code never ran');
  git(v, ['rm', '-q', 'flagpatch.config.js']);
  write(v, { '.flagpatchrc.yaml': '$import: ../secrets.yaml\ndeviceType: A_X100\n' });
  commitAll(v, 'an importing config');
  const y = flagpatch(v, ['check']);
  assert.is(y.code, 2);
  assert.match(y.stderr, '.flagpatchrc.yaml: $import: configs are self-contained');
});

test("the commit's config decides, not the work tree's: an unstaged edit changes no verdict", () => {
  const { v, up } = vendor();
  write(v, { '.flagpatchrc.json': JSON.stringify({ deviceType: 'A_X100', baseCommit: up.base }) });
  commitAll(v, 'config');
  const before = flagpatch(v, ['check']);
  assert.is(before.code, 1, 'vendor code without its patch');
  assert.match(before.stdout, 'missing');
  // Pointing the work tree's config elsewhere (or breaking it) does not change HEAD's verdict.
  for (const text of [JSON.stringify({ patchDir: 'empty' }), '{ broken']) {
    write(v, { '.flagpatchrc.json': text });
    const after = flagpatch(v, ['check']);
    assert.is(after.code, before.code);
    assert.is(after.stdout, before.stdout);
  }
  // A fresh clone of the same commit gives the same verdict.
  const clone = path.join(path.dirname(v), 'clone');
  git(path.dirname(v), ['clone', '-q', v, clone]);
  git(clone, ['fetch', '-q', up.dir, 'main']);
  const c = flagpatch(clone, ['check']);
  assert.is(c.code, before.code);
  assert.is(c.stdout, before.stdout.replace(/vendor\//g, 'clone/'));
});

test('a config built to explode (YAML alias bomb, deep nesting, long exclude lists) is bad config, cheaply', () => {
  const { v } = vendor();
  const bomb = [
    'a0: &a0 [x, x, x, x, x, x, x, x, x, x]',
    ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}]`),
    'deviceType: *a9',
    '',
  ].join('\n');
  const cases: [Record<string, string>, RegExp][] = [
    [{ '.flagpatchrc': bomb }, /\.flagpatchrc: \d+ problems/],
    [{ '.flagpatchrc.json': `{"exclude": ${'['.repeat(30_000)}${']'.repeat(30_000)}}` }, /exclude: expected a list of at most 32 paths/],
    [{ '.flagpatchrc.json': JSON.stringify({ exclude: Array.from({ length: 33 }, (_, i) => `x${i}`) }) }, /exclude: expected a list of at most 32/],
    [{ '.flagpatchrc.json': JSON.stringify({ exclude: [`*${'a'.repeat(200)}b`] }) }, /exclude: expected a list of at most 32 paths or patterns of at most 128 characters/],
  ];
  for (const [files, why] of cases) {
    for (const f of ['.flagpatchrc', '.flagpatchrc.json']) fs.rmSync(path.join(v, f), { force: true });
    write(v, files);
    commitAll(v, 'explosive config');
    const r = flagpatch(v, ['check']);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, why);
    assert.not.match(r.stderr, /internal error|\n\s+at /);
    assert.ok(r.stderr.length < 4000, 'a bounded message');
  }
  // In CI the commit's own config is only compared: a broken one is a violation, not a crash.
  const c = flagpatch(v, ['check', 'HEAD', '--config-from', 'HEAD~4']);
  assert.is(c.code, 1, c.stderr);
  assert.match(c.stdout, "this commit's config cannot be used");
});

test('a config or hetero.txt committed as a symlink is refused the same way by every reader', () => {
  const { v } = vendor();
  fs.symlinkSync('.flagpatchrc.real', path.join(v, '.flagpatchrc.json'));
  write(v, { '.flagpatchrc.real': JSON.stringify({ patchDir: 'elsewhere' }) });
  commitAll(v, 'a symlinked config');
  const r = flagpatch(v, ['check']);
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stderr, '.flagpatchrc.json: is a symlink or a folder: a config must be a regular file');
  const u = flagpatch(v, ['unpatch', '--device-type', 'A_X100', '--commit-id', 'abcdef', '--dir', 'build']);
  assert.is(u.code, 2, u.stderr);
  assert.match(u.stderr, '.flagpatchrc.json: is a symlink or a folder');
  fs.rmSync(path.join(v, '.flagpatchrc.json'));
  fs.symlinkSync('.flagpatchrc.real', path.join(v, 'hetero.txt'));
  commitAll(v, 'a symlinked hetero.txt');
  const h = flagpatch(v, ['check']);
  assert.is(h.code, 1);
  assert.match(h.stdout, '✗ hetero.txt:1: is a symlink or a folder, not the registry itself');
});

test('check --config-from: a pull request that changes the config is reported, unless allowed', () => {
  const { up } = vendor();
  write(up.dir, { '.flagpatchrc.json': JSON.stringify({ patchDir: 'hardwares' }) });
  commitAll(up.dir, 'upstream config');
  git(up.dir, ['checkout', '-q', '-b', 'pr']);
  // The pull request points the check at an empty folder and breaks a patch it adds.
  write(up.dir, { '.flagpatchrc.json': JSON.stringify({ patchDir: 'nothing-here', exclude: ['flagscale'] }), 'hardwares/A_X100/abcdef/abcdef.patch': 'not a patch' });
  commitAll(up.dir, 'sneaky');
  const own = flagpatch(up.dir, ['check']);
  assert.is(own.code, 0, 'judged by its own config, the pull request hides its broken patch');
  const r = flagpatch(up.dir, ['check', 'HEAD', '--config-from', 'main']);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'with the config of main');
  assert.match(r.stdout, '✗ .flagpatchrc.json: this commit changes the flagpatch config of main: patchDir, exclude');
  assert.match(r.stdout, 'hardwares/A_X100/abcdef/abcdef.patch', 'judged with the trusted patchDir');
  const allowed = flagpatch(up.dir, ['check', 'HEAD', '--config-from', 'main', '--allow-config-change', '--json']);
  assert.is(allowed.code, 1, 'the broken patch still fails');
  const json = JSON.parse(allowed.stdout);
  assert.not.ok(JSON.stringify(json).includes('changes the flagpatch config'));
  // A patch must adapt a commit of the trusted branch, not one the pull request brings along.
  git(up.dir, ['checkout', '-q', 'main']);
  git(up.dir, ['checkout', '-q', '-b', 'pr2']);
  write(up.dir, { 'flagscale/own-base.py': 'x\n' });
  const ownBase = commitAll(up.dir, 'a base only the pull request has');
  const oid = ownBase.slice(0, 6);
  write(up.dir, { [`hardwares/A_X100/${oid}/${oid}.patch`]: git(up.dir, ['format-patch', '--stdout', '-1', 'HEAD']) + '\n' });
  commitAll(up.dir, 'patch on it');
  const b = flagpatch(up.dir, ['check', 'HEAD', '--config-from', 'main']);
  assert.is(b.code, 1, b.stdout);
  assert.match(b.stdout, `its base ${ownBase.slice(0, 12)} is not a commit of main: a patch adapts an upstream commit`);
  const usage = flagpatch(up.dir, ['check', '--allow-config-change']);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, '--allow-config-change needs --config-from');
});

test('a vendor tree git cannot reproduce from the base is refused by the round trip (exit 1, nothing written)', () => {
  const root = tmpdir();
  const up = upstream(root);
  write(up.dir, { 'data/x': 'x\n', 'data/keep': 'k\n' });
  const base = commitAll(up.dir, 'data');
  const v = fork(up.dir, path.join(root, 'vendor'));
  write(v, { '.flagpatchrc.json': JSON.stringify({ exclude: ['data/keep'] }) });
  fs.rmSync(path.join(v, 'data'), { recursive: true });
  write(v, { data: 'now a file\n' });
  commitAll(v, 'folder becomes a file');
  const r = flagpatch(v, ['patch', '--device-type', 'A_X100', '--base-commit-id', base]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'would not reproduce the vendor tree');
  assert.match(r.stderr, 'nothing was written');
  assert.is(git(v, ['branch', '--list', 'flagpatch/*']), '');
});

test.run();
