// What the README promises about files in this repository stays true.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHetero } from '../src/hetero.js';
import { validateConfig } from '../src/config.js';
import { ROOT, flagpatch } from './helpers.js';

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

test('the reference .flagpatchrc.json and the sample templates/hetero.txt are valid and hold no device', () => {
  const cfg = validateConfig(JSON.parse(read('.flagpatchrc.json')), ROOT, '.flagpatchrc.json');
  assert.is(cfg.deviceType, undefined);
  assert.equal(parseHetero(read('templates/hetero.txt'), 6), { combinations: [], problems: [] });
});

test('the upstream CI workflow runs flagpatch check with the full history', () => {
  const yml = read('docs/flagpatch-check.yml');
  assert.match(yml, 'fetch-depth: 0');
  assert.match(yml, /npx --yes flagpatch@\S+ check/);
});

test('the README shows the set-up, test and demo commands, and every command has --help', () => {
  const readme = read('README.md');
  for (const s of ['npm install && npm run demo', 'npm test', 'npm run unpatch -- --dir build']) assert.match(readme, s);
  for (const cmd of ['patch', 'unpatch', 'check', 'status', 'init', 'refresh', 'hook']) {
    const r = flagpatch(ROOT, [cmd, '--help']);
    assert.is(r.code, 0);
    assert.match(r.stdout, `Usage: flagpatch ${cmd}`);
    assert.match(readme, `flagpatch ${cmd}`);
  }
  assert.is(flagpatch(ROOT, ['--version']).stdout.trim(), JSON.parse(read('package.json')).version);
});

test.run();
