// Every --json output is one object with a version and the command's name, errors included.
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, tmpdir, upstreamWithPatch } from './helpers.js';

test.after.each(cleanup);

const parse = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;

test('--json: { version: 1, command, ... } for every command with --json, and for their errors', () => {
  const root = tmpdir();
  const up = upstreamWithPatch(root);
  const id = up.base.slice(0, 6);

  const status = parse(flagpatch(up.dir, ['status', '--json']));
  assert.equal(Object.keys(status), ['version', 'command', 'patches']);
  assert.is(status.version, 1);
  assert.is(status.command, 'status');
  assert.equal(
    (status.patches as { device: string; state: string }[]).map((p) => [p.device, p.state]),
    [['A_X100', 'fresh']],
  );

  const check = parse(flagpatch(up.dir, ['check', '--json']));
  assert.equal(Object.keys(check), ['version', 'command', 'rev', 'commit', 'configFrom', 'patches', 'violations', 'omitted', 'ok']);
  assert.equal([check.version, check.command, check.ok], [1, 'check', true]);

  const patch = flagpatch(up.vendor, ['patch', '--device-type', 'A_X100', '--base-commit-id', up.base, '--json']);
  assert.is(patch.code, 0, patch.stderr);
  assert.equal([parse(patch).version, parse(patch).command, parse(patch).patchPath], [1, 'patch', `hardwares/A_X100/${id}/${id}.patch`]);

  const unpatch = parse(flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', id, '--dir', path.join(root, 'build'), '--json']));
  assert.equal([unpatch.version, unpatch.command, unpatch.id], [1, 'unpatch', id]);

  // A refusal (exit 1) and bad usage (exit 2): the same object, with `error` instead of the result.
  const refused = flagpatch(up.dir, ['unpatch', '--device-type', 'A_X100', '--commit-id', 'ffffff', '--dir', 'build', '--json']);
  assert.is(refused.code, 1);
  assert.equal(parse(refused), {
    version: 1,
    command: 'unpatch',
    error: { problem: 'no A_X100 patch for --commit-id ffffff', fix: `A_X100 has patches at: ${id}; pass one of them`, exitCode: 1 },
  });
  assert.match(refused.stderr, 'flagpatch: error: no A_X100 patch for --commit-id ffffff', 'stderr still says it for people');
  // rebase and impact share the shape.
  const impact = parse(flagpatch(up.dir, ['impact', '--json']));
  assert.equal([impact.version, impact.command], [1, 'impact']);
  const rebase = parse(flagpatch(up.dir, ['rebase', '--device-type', 'A_X100', '--commit-id', id, '--onto', 'HEAD', '--json']));
  assert.equal([rebase.version, rebase.command], [1, 'rebase']);
  const usage = flagpatch(up.dir, ['status', '--json', 'extra']);
  assert.is(usage.code, 2);
  assert.equal(parse(usage), { version: 1, command: 'status', error: { problem: 'status: unexpected argument "extra"', fix: 'see flagpatch status --help', exitCode: 2 } });
});

test.run();
