// The command line in-process, no git: flag parsing, "did you mean", the Node version check,
// object ids, and what main() prints for usage errors (human and --json).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs } from '../../src/args.js';
import { nodeTooOld } from '../../src/engines.js';
import { UsageError } from '../../src/errors.js';
import { main } from '../../src/main.js';
import { isNullOid, isOid, nullOid } from '../../src/oid.js';
import { closest, editDistance } from '../../src/suggest.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    cwd: '/nonexistent-flagpatch-cwd',
    env: { NO_COLOR: '1' },
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdin: async () => '',
    tty: { stdout: false, stderr: false },
  });
  return { code, out, err };
}

const SPEC = { 'device-type': 'list', 'commit-id': 'string', dir: 'string', force: 'boolean', json: 'boolean' } as const;

test('parseArgs: lists take every value up to the next flag; = forms; -- ends flags', () => {
  assert.equal(parseArgs(['--device-type', 'A', 'B', '--commit-id=abc', '--force', '--', '--x'], SPEC, 1, 'unpatch'), {
    flags: { 'device-type': ['A', 'B'], 'commit-id': 'abc', force: true },
    positionals: ['--x'],
  });
  assert.equal(parseArgs(['--device-type=A', '--device-type', 'B'], SPEC, 0, 'unpatch').flags['device-type'], ['A', 'B']);
});

test('parseArgs: each mistake is a UsageError naming it, with a fix', () => {
  const cases: [string[], string, string][] = [
    [['--jsn'], 'unpatch: unknown option --jsn', 'did you mean --json? (flagpatch unpatch --help)'],
    [['--dri', 'x'], 'unpatch: unknown option --dri', 'did you mean --dir? (flagpatch unpatch --help)'],
    [['--verbose'], 'unpatch: unknown option --verbose', 'see flagpatch unpatch --help'],
    [['--dir'], 'unpatch: --dir needs a value', 'write --dir <value>'],
    [['--dir', 'a', '--dir', 'b'], 'unpatch: --dir is given twice', 'give --dir once'],
    [['--force=yes'], 'unpatch: --force takes no value', 'write --force alone'],
    [['--device-type'], 'unpatch: --device-type needs at least one value', 'write --device-type <value> [<value>...]'],
    [['-x'], 'unpatch: unknown option -x', 'see flagpatch unpatch --help'],
    [['a', 'b'], 'unpatch: unexpected argument "b"', 'see flagpatch unpatch --help'],
  ];
  for (const [argv, message, fix] of cases) {
    try {
      parseArgs(argv, SPEC, 1, 'unpatch');
      assert.unreachable(argv.join(' '));
    } catch (e) {
      assert.instance(e, UsageError);
      assert.equal([(e as UsageError).message, (e as UsageError).fix], [message, fix], argv.join(' '));
    }
  }
});

test('closest: typos within a third of the word, swaps count once, prefixes; nothing far away', () => {
  const commands = ['patch', 'unpatch', 'check', 'status', 'init', 'refresh', 'hook'];
  assert.is(editDistance('stauts', 'status'), 1);
  assert.is(editDistance('', 'abc'), 3);
  assert.is(closest('stauts', commands), 'status');
  assert.is(closest('chek', commands), 'check');
  assert.is(closest('refesh', commands), 'refresh');
  assert.is(closest('unptach', commands), 'unpatch');
  assert.is(closest('stat', commands), 'status');
  assert.is(closest('frobnicate', commands), undefined);
  assert.is(closest('x', commands), undefined);
  assert.is(closest('jsn', ['json', 'force']), 'json');
  assert.is(closest('a'.repeat(10_000), commands), undefined, 'a huge argument costs nothing');
});

test('main: an unknown command or flag names the closest one; exit 2', async () => {
  const cmd = await run(['stauts']);
  assert.is(cmd.code, 2);
  assert.equal(cmd.err.split('\n'), [
    'flagpatch: error: unknown command "stauts"',
    '  fix: did you mean flagpatch status? commands: patch, unpatch, check, rebase, impact, status, init, refresh, hook (flagpatch --help)',
    '',
  ]);
  const flag = await run(['status', '--jsn']);
  assert.is(flag.code, 2);
  assert.equal(flag.err.split('\n'), ['flagpatch: error: status: unknown option --jsn', '  fix: did you mean --json? (flagpatch status --help)', '']);
  assert.is(flag.out, '', 'nothing on stdout without --json');
});

test('main: a usage error under --json is the versioned object on stdout, words on stderr', async () => {
  const r = await run(['check', '--json', 'a', 'b']);
  assert.is(r.code, 2);
  assert.equal(JSON.parse(r.out), { version: 1, command: 'check', error: { problem: 'check: unexpected argument "b"', fix: 'see flagpatch check --help', exitCode: 2 } });
  assert.match(r.err, 'flagpatch: error: check: unexpected argument "b"');
});

test('main: --help, help of each command, --version', async () => {
  assert.equal((await run([])).code, 2);
  assert.match((await run(['--help'])).out, 'Usage: flagpatch <command> [options]');
  for (const c of ['patch', 'unpatch', 'check', 'status', 'init', 'refresh', 'hook']) assert.match((await run([c, '--help'])).out, `Usage: flagpatch ${c}`);
  assert.match((await run(['--version'])).out, /^\d+\.\d+\.\d+\n$/);
});

test('nodeTooOld: one line for an older Node, nothing for the same or newer', () => {
  assert.is(nodeTooOld('18.19.0', '>=20.17'), 'flagpatch: error: Node 18.19.0 is too old; flagpatch needs Node >=20.17 (check with node --version)');
  assert.ok(nodeTooOld('20.16.9', '>=20.17'));
  assert.is(nodeTooOld('20.17.0', '>=20.17'), null);
  assert.is(nodeTooOld('22.0.0', '>=20.17'), null);
  assert.is(nodeTooOld('20.17.0', '^20 || ^22'), null, 'a range it does not read never blocks');
});

test('object ids: 40 or 64 lowercase hex digits; null ids of either length', () => {
  for (const ok of ['a'.repeat(40), '0'.repeat(64), '0123456789abcdef'.repeat(4)]) assert.ok(isOid(ok), ok);
  for (const bad of ['a'.repeat(39), 'a'.repeat(41), 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(40), `${'a'.repeat(39)}g`, '']) assert.not.ok(isOid(bad), bad);
  assert.is(nullOid(), '0'.repeat(40));
  assert.is(nullOid(64), '0'.repeat(64));
  assert.ok(isNullOid('0'.repeat(64)));
  assert.not.ok(isNullOid('0'.repeat(39)));
});

test.run();
