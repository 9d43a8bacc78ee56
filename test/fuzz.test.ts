// Fuzzing of command-line arguments and the config file: at least 1,000 generated
// inputs each per run, seeded (FLAGPATCH_SEED) so a failure can be replayed. Never a crash or
// a stack trace: bad arguments and bad config are exit 2 with a message naming the problem;
// a bad hetero.txt line is a failed check (exit 1, SPEC) naming hetero.txt:LINE.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config.js';
import { diskSource } from '../src/source.js';
import { ConfigError } from '../src/errors.js';
import { main } from '../src/main.js';
import { rng } from '../scripts/lib/faults.js';
import { ENV, cleanup, commitAll, tmpdir, upstream, write } from './helpers.js';

export const FUZZ_INPUTS = Number(process.env.FLAGPATCH_FUZZ ?? 1000);
const SEED = Number(process.env.FLAGPATCH_SEED ?? 20261127);

test.after.each(cleanup);

/** Runs the CLI in-process, capturing what it prints. */
async function cli(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    cwd,
    env: { ...ENV },
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdin: async () => '',
    tty: { stdout: false, stderr: false },
  });
  return { code, out, err };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

const WEIRD = ['', ' ', '../x', 'a b', 'A/X', '..', '.', '-', 'ü', '名前', 'A'.repeat(300), 'x\ty', '$(rm -rf /)', '`id`', '"', "'", '\\', 'a:b', '#', '0', '-1', 'NaN', 'null', '{}', '[]'];
const DEVICES = ['A_X100', 'B_Y100', 'C_Z1'];
const COMMANDS = ['patch', 'unpatch', 'check', 'status', 'init', 'refresh', 'hook'];
const FLAGS: Record<string, string[]> = {
  patch: ['--device-type', '--base-commit-id', '--current-commit-id', '--onto', '--json'],
  unpatch: ['--device-type', '--commit-id', '--dir', '--force', '--json'],
  check: ['--json'],
  status: ['--json'],
  init: ['--device-type', '--base-commit-id'],
  refresh: [],
  hook: [],
};

/** An argument list with one defect of a known kind, and what the message must name. */
function badArgs(r: () => number): { argv: string[]; names: string } {
  const cmd = pick(r, COMMANDS);
  const flags = FLAGS[cmd];
  const noise: string[] = [];
  // Some valid-looking flags first, so the defect is not always the first token.
  const valued = flags.filter((x) => x !== '--json' && x !== '--force');
  for (let i = Math.floor(r() * 3); i > 0 && valued.length; i--) {
    const f = pick(r, valued);
    if (!noise.includes(f)) noise.push(f, f === '--device-type' ? pick(r, DEVICES) : 'HEAD');
  }
  const weird = pick(
    r,
    WEIRD.filter((w) => w && !w.startsWith('-')),
  );
  switch (Math.floor(r() * 6)) {
    case 0: {
      const bogus = `x${pick(r, WEIRD)}${Math.floor(r() * 99)}`;
      return { argv: [bogus, ...noise], names: `unknown command ${JSON.stringify(bogus)}` };
    }
    case 1: {
      const opt = `--${pick(r, ['device', 'dir-name', 'force-it', 'verbose', 'base', weird.replace(/[= ]/g, '') || 'q'])}`;
      return { argv: [cmd, ...noise, opt, 'v'], names: `unknown option ${opt}` };
    }
    case 2: {
      const f = pick(
        r,
        flags.filter((x) => x !== '--json' && x !== '--force'),
      );
      if (!f) return { argv: [cmd, 'extra', 'more', 'args', 'here'], names: 'unexpected argument' };
      return { argv: [cmd, ...noise, f], names: `${f} needs` };
    }
    case 3: {
      if (!flags.includes('--device-type')) return { argv: [cmd, '--json=1'], names: cmd === 'refresh' || cmd === 'hook' ? 'unknown option --json' : '--json takes no value' };
      const bad = pick(r, ['', '../x', 'a b', 'A/X', 'ü', '-x', 'a.b', 'x$y']);
      const rest = noise.filter((_, i) => !['--device-type', '--dir'].includes(noise[i - (i % 2)]));
      return { argv: [cmd, ...rest, `--device-type=${bad}`, ...(cmd === 'unpatch' ? ['--dir', 'build'] : [])], names: `bad device type ${JSON.stringify(bad)}` };
    }
    case 4:
      // Before the flags: after a list flag they would be its values.
      return { argv: [cmd, 'p1', 'p2', 'p3', 'p4', ...noise], names: 'unexpected argument' };
    default: {
      const f = pick(r, ['--json', '--force']);
      if (!flags.includes(f)) return { argv: [cmd, `${f}=yes`], names: `unknown option ${f}` };
      return { argv: [cmd, ...noise, `${f}=yes`], names: `${f} takes no value` };
    }
  }
}

test(`${FUZZ_INPUTS} generated argument lists: exit 2, the problem named, never a stack trace`, async () => {
  const root = tmpdir();
  const { dir } = upstream(root);
  const r = rng(SEED);
  for (let i = 0; i < FUZZ_INPUTS; i++) {
    const { argv, names } = badArgs(r);
    const res = await cli(dir, argv);
    const what = `input ${i} (seed ${SEED}): ${JSON.stringify(argv)}`;
    assert.is(res.code, 2, `${what}: exit ${res.code}: ${res.err}`);
    assert.match(res.err, /^flagpatch: error: /, what);
    assert.ok(res.err.includes(names), `${what}: expected the message to name "${names}", got ${res.err}`);
    assert.match(res.err, /\n {2}fix: /, what);
    assert.not.match(res.err, /\n\s+at /, `${what}: stack trace`);
  }
});

const KEYS = ['deviceType', 'baseCommit', 'patchDir', 'heteroFile', 'idLength', 'exclude', 'name', '$schema'];
const VALUES: unknown[] = ['A_X100', 'a b', '', '../up', '/abs', 'hardwares', 6, 0, 4.5, 41, -1, true, null, [], ['x'], [1], [''], {}, { a: 1 }, 'ü', '.git', 'x/.git/y', '-rf'];

test(`${FUZZ_INPUTS} generated config files: accepted, or exit 2 naming the file and each bad key`, async () => {
  const root = tmpdir();
  const { dir } = upstream(root);
  const r = rng(SEED + 1);
  let refused = 0;
  for (let i = 0; i < FUZZ_INPUTS; i++) {
    const kind = r();
    let text: string;
    const keys: string[] = [];
    if (kind < 0.7) {
      const obj: Record<string, unknown> = {};
      for (let k = Math.floor(r() * 4); k >= 0; k--) {
        const key = r() < 0.85 ? pick(r, KEYS) : pick(r, ['color', 'device', 'patchdir', 'x', ' ', 'DeviceType']);
        obj[key] = pick(r, VALUES);
        keys.push(key);
      }
      text = JSON.stringify(obj);
    } else if (kind < 0.85) {
      text = JSON.stringify({ deviceType: 'A_X100', baseCommit: 'abc' }).slice(0, Math.floor(r() * 30)); // truncated
    } else {
      text = pick(r, ['[]', '"string"', '42', 'null', 'true', '{"a":', 'deviceType: A_X100', '\u0000\u0001', '{}}', ' ']);
    }
    fs.writeFileSync(path.join(dir, '.flagpatchrc.json'), text);
    const what = `input ${i} (seed ${SEED + 1}): ${JSON.stringify(text).slice(0, 120)}`;
    try {
      await loadConfig(diskSource(dir));
    } catch (e) {
      assert.ok(e instanceof ConfigError, `${what}: threw ${(e as Error).stack}`);
      assert.is((e as ConfigError).exitCode, 2);
      assert.match((e as ConfigError).message, '.flagpatchrc.json');
      for (const p of (e as ConfigError).problems) assert.match(p, /^([\w$]+|"[^"]*"): |^is not valid JSON|^expected an object/, `${what}: problem without its key: ${p}`);
      refused++;
    }
  }
  assert.ok(refused > FUZZ_INPUTS / 2, `only ${refused} refused: the generator is too kind`);
  // And through the CLI: exit 2, no stack trace.
  fs.writeFileSync(path.join(dir, '.flagpatchrc.json'), '{"idLength": "six", "colour": 1}');
  commitAll(dir, 'a bad config'); // status judges HEAD with the config HEAD holds
  const res = await cli(dir, ['status']);
  assert.is(res.code, 2);
  assert.match(res.err, 'idLength: expected a whole number from 4 to 40, found the string "six"');
  assert.match(res.err, 'colour: unknown key');
});

// (hetero.txt's generated inputs are checked against an oracle in test/unit/hetero.test.ts.)
test('a malformed hetero.txt line through check: exit 1 naming hetero.txt:LINE', async () => {
  // Through check: a malformed line is a failed check (exit 1) that names it.
  const root = tmpdir();
  const { dir } = upstream(root);
  write(dir, { 'hetero.txt': '# ok\naaaaaa A_X100\n' });
  commitAll(dir, 'bad registry');
  const res = await cli(dir, ['check']);
  assert.is(res.code, 1);
  assert.match(res.out, 'hetero.txt:2: expected "<ID>: <DEVICE> <DEVICE>..."');
});

test.run();
