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
  const cfg = validateConfig(JSON.parse(read('.flagpatchrc.json')), 'flagpatch', '.flagpatchrc.json');
  assert.is(cfg.deviceType, undefined);
  assert.equal(parseHetero(read('templates/hetero.txt'), 6), { combinations: [], problems: [] });
});

test('the upstream CI workflow is safe on untrusted pull requests', () => {
  const yml = read('docs/flagpatch-check.yml');
  const steps = yml
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  assert.match(steps, 'fetch-depth: 0');
  assert.match(steps, /^ {2}pull_request:$/m);
  assert.not.match(steps, 'pull_request_target');
  assert.match(steps, /^permissions:\n {2}contents: read$/m);
  assert.match(steps, 'persist-credentials: false');
  assert.not.match(steps, /\bnpx\b/, 'never a flagpatch from the checkout');
  const version = JSON.parse(read('package.json')).version;
  assert.match(steps, `npm install --prefix "$RUNNER_TEMP/flagpatch"`);
  assert.match(steps, ` --ignore-scripts flagpatch@${version}\n`, 'an exact, pinned version');
  assert.match(steps, 'FLAGPATCH: ${{ runner.temp }}/flagpatch/node_modules/.bin/flagpatch');
  assert.match(steps, '--config-from "origin/$BASE_REF"');
  assert.match(steps, 'GITHUB_STEP_SUMMARY');
});

test('the README shows the set-up, test and demo commands, and every command has --help', () => {
  const readme = read('README.md');
  for (const s of ['npm install && npm run demo', 'npm test', 'npm run unpatch -- --dir build']) assert.match(readme, s);
  for (const cmd of ['patch', 'unpatch', 'check', 'rebase', 'impact', 'status', 'init', 'refresh', 'hook']) {
    const r = flagpatch(ROOT, [cmd, '--help']);
    assert.is(r.code, 0);
    assert.match(r.stdout, `Usage: flagpatch ${cmd}`);
    assert.match(readme, `flagpatch ${cmd}`);
  }
  assert.is(flagpatch(ROOT, ['--version']).stdout.trim(), JSON.parse(read('package.json')).version);
});

test('every link of the README and docs stays inside the repository and finds its file', () => {
  for (const doc of [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ]) {
    for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (target.startsWith('#')) continue;
      assert.not.match(target, /^(\.\.\/|\/|[a-z]+:)/, `${doc} links outside the repository: ${target}`);
      const file = path.join(ROOT, path.dirname(doc), target.split('#')[0]);
      assert.ok(fs.existsSync(file), `${doc}: ${target} does not exist`);
    }
  }
});

test.run();
