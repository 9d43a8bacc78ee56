// Config validation in-process, no git or files: every key of the shipped JSON Schema is one
// the validator knows, good values are taken, and every bad key is reported at once.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { ROOT } from '../helpers.js';

const problems = (raw: unknown): readonly string[] => {
  try {
    validateConfig(raw, 'FlagScale', '.flagpatchrc.json');
    return [];
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as ConfigError).problems;
  }
};

test('defaults, and good values taken as given', () => {
  assert.equal(validateConfig({}, 'FlagScale', undefined), { patchDir: 'hardwares', heteroFile: 'hetero.txt', idLength: 6, exclude: [], name: 'FlagScale', file: undefined });
  const cfg = validateConfig({ deviceType: 'A_X100', baseCommit: 'a'.repeat(64), patchDir: 'p/', idLength: 8, exclude: ['gen/*'], name: 'FS' }, 'y', 'f.json');
  assert.equal([cfg.deviceType, cfg.baseCommit, cfg.patchDir, cfg.idLength, cfg.exclude, cfg.name], ['A_X100', 'a'.repeat(64), 'p', 8, ['gen/*'], 'FS']);
});

test('every bad key at once, each with its key, what was expected and what was found', () => {
  assert.equal(problems({ deviceType: 'a b', idLength: 'six', patchDir: '../x', name: '.', colour: 1 }), [
    'colour: unknown key (known: deviceType, baseCommit, patchDir, heteroFile, idLength, exclude, name)',
    'deviceType: expected a device name of ASCII letters, digits and _ (e.g. "A_X100"), found the string "a b"',
    'patchDir: expected a relative path inside the repository, without "..", "." or ".git" (e.g. "hardwares"), found the string "../x"',
    'idLength: expected a whole number from 4 to 40, found the string "six"',
    'name: expected a folder name (no "/", not "." or ".."), found the string "."',
  ]);
  assert.equal(problems([]), ['expected an object of settings, found an empty list']);
});

test('the shipped JSON Schema: every key it allows the validator knows, and it allows no other', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'flagpatchrc.schema.json'), 'utf8'));
  assert.is(schema.additionalProperties, false);
  for (const key of Object.keys(schema.properties)) {
    assert.not.ok(
      problems({ [key]: null }).some((p) => p.includes('unknown key')),
      `${key} is in the schema but unknown to the validator`,
    );
  }
  const known = /\(known: ([^)]+)\)/.exec(problems({ zzz: 1 })[0])![1].split(', ');
  for (const key of known) assert.ok(key in schema.properties, `${key} is accepted but missing from the schema`);
});

test.run();
