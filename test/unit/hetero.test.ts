// hetero.txt in-process against an oracle: generated valid registries (with comments, blank
// lines, CRLF and spacing variants) are rendered, parsed, and must give back exactly what was
// generated; one broken line put anywhere is reported on that line and nowhere else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addCombination, parseHetero } from '../../src/hetero.js';
import { rng } from '../../scripts/lib/faults.js';

const INPUTS = Number(process.env.FLAGPATCH_FUZZ ?? 1000);
const SEED = Number(process.env.FLAGPATCH_SEED ?? 20261127);
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const HEX = [...'0123456789abcdef'];
const NAME = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'];

interface Line {
  id: string;
  devices: string[];
}

function generate(r: () => number): Line[] {
  const lines: Line[] = [];
  const seen = new Set<string>();
  for (let n = Math.floor(r() * 6); n > 0; n--) {
    const id = Array.from({ length: 6 }, () => pick(r, HEX)).join('');
    const devices = new Set<string>();
    for (let k = 2 + Math.floor(r() * 3); k > 0; k--) devices.add(Array.from({ length: 1 + Math.floor(r() * 8) }, () => pick(r, NAME)).join(''));
    if (devices.size < 2) continue;
    const key = `${id}:${[...devices].sort().join(' ')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push({ id, devices: [...devices] });
  }
  return lines;
}

/** The text of a registry, with noise that must not change its meaning; the line of each entry. */
function render(r: () => number, lines: Line[]): { text: string; at: number[] } {
  const out: string[] = [];
  const at: number[] = [];
  const space = () => pick(r, ['', ' ', '  ', '\t']);
  for (const l of lines) {
    while (r() < 0.3) out.push(pick(r, ['', '# a comment', '   ', '#', '\t# indented comment: 123456: A B']));
    at.push(out.length + 1);
    out.push(`${space()}${l.id}${space()}:${pick(r, [' ', '  ', '\t'])}${l.devices.join(pick(r, [' ', '  ', '\t']))}${space()}${r() < 0.3 ? ' # why' : ''}`);
  }
  const eol = r() < 0.2 ? '\r\n' : '\n';
  return { text: out.join(eol) + (r() < 0.5 ? eol : ''), at };
}

test(`${INPUTS} generated registries: parse gives back exactly the generated combinations, at their lines`, () => {
  const r = rng(SEED + 2);
  for (let i = 0; i < INPUTS; i++) {
    const lines = generate(r);
    const { text, at } = render(r, lines);
    const what = `input ${i} (seed ${SEED + 2}): ${JSON.stringify(text)}`;
    const h = parseHetero(text, 6);
    assert.equal(h.problems, [], what);
    assert.equal(
      h.combinations,
      lines.map((l, k) => ({ line: at[k], id: l.id, devices: l.devices })),
      what,
    );
  }
});

const BROKEN: [string, RegExp][] = [
  ['aaaaaa A_X100 B_Y100', /^expected "<ID>: <DEVICE> <DEVICE>\.\.\."/],
  ['AAAAAA: A_X100 B_Y100', /^ID "AAAAAA" is not 6 lowercase hex digits/],
  ['abc: A_X100 B_Y100', /^ID "abc" is not 6/],
  ['aaaaaa: A_X100', /^a combination needs at least two devices, found 1/],
  ['aaaaaa: A-X B_Y100', /^bad device name "A-X"/],
  ['aaaaaa: A_X100 A_X100', /^device A_X100 is listed twice/],
];

test(`${INPUTS} registries with one broken line: exactly that line is reported`, () => {
  const r = rng(SEED + 3);
  for (let i = 0; i < INPUTS; i++) {
    const lines = generate(r).filter((l) => l.id !== 'aaaaaa');
    const { text, at } = render(r, lines);
    const rows = text.split('\n');
    const [bad, message] = pick(r, BROKEN);
    const where = Math.floor(r() * (rows.length + 1));
    rows.splice(where, 0, bad);
    const what = `input ${i} (seed ${SEED + 3}): ${JSON.stringify(rows.join('\n'))}`;
    const h = parseHetero(rows.join('\n'), 6);
    assert.is(h.problems.length, 1, what);
    assert.is(h.problems[0].line, where + 1, what);
    assert.match(h.problems[0].message, message, what);
    assert.ok(h.problems[0].fix, what);
    assert.equal(
      h.combinations.map((c) => c.id),
      lines.map((l) => l.id),
      what,
    );
    assert.equal(
      h.combinations.map((c) => c.line),
      at.map((n) => (n > where ? n + 1 : n)),
      what,
    );
  }
});

test('a repeated combination is reported on its second line, in any order of devices', () => {
  const h = parseHetero('aaaaaa: A_X100 B_Y100\n# x\naaaaaa: B_Y100 A_X100\n', 6);
  assert.equal(h.problems, [{ line: 3, message: 'repeats the combination of line 1', fix: 'remove one of the two lines' }]);
});

test('addCombination: nothing when listed, extends a subset line keeping its comment and CRLF, else appends', () => {
  const text = '# reg\r\naaaaaa: A_X100 B_Y100 # first\r\n';
  const h = parseHetero(text, 6);
  assert.is(addCombination(text, h, 'aaaaaa', ['B_Y100', 'A_X100']), text);
  assert.is(addCombination(text, h, 'aaaaaa', ['A_X100', 'B_Y100', 'C_Z1']), '# reg\r\naaaaaa: A_X100 B_Y100 C_Z1 # first\r\n');
  assert.is(addCombination('x', parseHetero('', 6), 'bbbbbb', ['A', 'B']), 'x\nbbbbbb: A B\n');
  const grown = addCombination(text, h, 'cccccc', ['A_X100', 'C_Z1']);
  assert.equal(
    parseHetero(grown, 6).combinations.map((c) => [c.id, c.devices]),
    [
      ['aaaaaa', ['A_X100', 'B_Y100']],
      ['cccccc', ['A_X100', 'C_Z1']],
    ],
  );
});

test.run();
