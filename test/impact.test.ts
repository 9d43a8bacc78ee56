// `flagpatch impact` in the upstream repository of test/upstream-moves.ts: the state of each
// device's newest patch and each hetero combination at a revision, the first commit that
// breaks a patch (exactly), --since exit codes, the Markdown table, escaped output, and
// nothing written to the repository.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { markdown } from '../src/cli/render-upstream.js';
import { escapeText as printable } from '../src/text.js';
import { ROOT, commitAll, flagpatch, git, gitBuf, gitDirListing, snapshot, write } from './helpers.js';
import { MODEL, story, type Story } from './upstream-moves.js';

let s: Story;
let esc = ''; // a commit breaking B_Y100, with a hostile subject
const keep: string[] = [];
const SUBJECT = 'Break B\x1b[31m red \u202e evil\r::error::forged';

test.before(() => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'flagpatch-impact-')));
  keep.push(root);
  s = story(root);
  // A_X100's patch carried to U2 joins main: its newest patch; the one at the base stays for the combination.
  assert.is(flagpatch(s.up, ['rebase', '--device-type', 'A_X100', '--commit-id', s.id, '--onto', s.u.u2]).code, 0);
  git(s.up, ['checkout', '-q', 'flagpatch/A_X100', '--', `hardwares/A_X100/${s.u.u2.slice(0, 6)}`]);
  commitAll(s.up, 'A_X100 on U2');
  // A C_Z1 patch whose base this repository lacks.
  const a = gitBuf(s.up, ['show', `HEAD:hardwares/A_X100/${s.id}/${s.id}.patch`]).toString('latin1');
  const missing = `abcdef${'0'.repeat(34)}`;
  write(s.up, {
    'hardwares/C_Z1/abcdef/abcdef.patch': Buffer.from(a.replace(/Flagpatch-Base: \w+/, `Flagpatch-Base: ${missing}`).replace(/Flagpatch-Device: \w+/, 'Flagpatch-Device: C_Z1'), 'latin1'),
  });
  commitAll(s.up, 'C_Z1 patch on a base we lack');
  write(s.up, { 'tools/run.sh': '#!/bin/sh\necho upstream runs differently\n' });
  esc = commitAll(s.up, SUBJECT);
});
test.after(() => {
  for (const d of keep) fs.rmSync(d, { recursive: true, force: true });
});

const impact = (args: string[]) => flagpatch(s.up, ['impact', ...args]);
const json = (args: string[]) => JSON.parse(impact([...args, '--json']).stdout);
const states = (r: { patches: { device: string; state: string }[] }) => Object.fromEntries(r.patches.map((p) => [p.device, p.state]));

test('the state of each device and combination as upstream moves', () => {
  const at = (rev: string) => json([rev]);
  assert.equal(states(at(s.u.u1)), { A_X100: 'applies', B_Y100: 'applies' }, 'an unrelated commit');
  const u2 = at(s.u.u2);
  assert.equal(states(u2), { A_X100: 'merges', B_Y100: 'applies' }, 'context moved: plain apply fails, three-way is clean');
  assert.equal(u2.combinations, [{ line: 1, id: s.id, devices: ['A_X100', 'B_Y100'], state: 'merges', failing: [] }]);
  const u4 = at(s.u.u4);
  assert.equal(states(u4), { A_X100: 'conflicts', B_Y100: 'applies' });
  assert.equal(u4.patches[0].conflicts, [{ path: MODEL, kind: 'content', lines: [{ start: 21, end: 21 }] }]);
  assert.equal(u4.combinations[0].failing, ['A_X100']);
  assert.is(u4.combinations[0].state, 'conflicts');
  const text = impact([s.u.u4]);
  assert.is(text.code, 0, 'without --since it is a report');
  assert.match(text.stdout, `A_X100  ${s.id}  base ${s.base.slice(0, 12)} 2026-01-02  conflicts: ${MODEL} line 21\n`);
  assert.match(text.stdout, `combination ${s.id}: A_X100 B_Y100  conflicts (A_X100)`);
});

test("each device's newest patch (by base date) and every patch a combination names; a missing base", () => {
  const r = json([esc]);
  const rows = r.patches.map((p: { device: string; id: string; newest: boolean; state: string }) => [p.device, p.id, p.newest, p.state]);
  assert.equal(rows, [
    ['A_X100', s.u.u2.slice(0, 6), true, 'conflicts'],
    ['B_Y100', s.id, true, 'conflicts'],
    ['C_Z1', 'abcdef', true, 'base-missing'],
    ['A_X100', s.id, false, 'conflicts'],
  ]);
  assert.equal(r.patches[1].conflicts, [{ path: 'tools/run.sh', kind: 'content', lines: [{ start: 2, end: 2 }] }]);
  assert.equal(r.combinations[0].failing, ['A_X100', 'B_Y100']);
});

test('--first-bad names the exact commit, in about log2(n) merges', () => {
  const r = json([s.u.u5, '--first-bad']);
  const a = r.patches.find((p: { device: string }) => p.device === 'A_X100');
  assert.equal({ commit: a.firstBad.commit, subject: a.firstBad.subject }, { commit: s.u.u4, subject: '[vLLM] Update to the latest upstream code' });
  assert.ok(a.firstBad.merges <= Math.ceil(Math.log2(5)) + 1, `${a.firstBad.merges} merges for 5 commits`);
  assert.is(r.patches.find((p: { device: string }) => p.device === 'B_Y100').firstBad, undefined);
  const text = impact([s.u.u5, '--first-bad']).stdout;
  assert.match(text, `    first bad: ${s.u.u4.slice(0, 7)} [vLLM] Update to the latest upstream code (`);
});

test('--since: exit 1 only for patches that carried to OLD and not to REV, one line each with the fix', () => {
  const broken = impact([s.u.u4, '--since', s.u.u3]);
  assert.is(broken.code, 1, broken.stderr);
  assert.match(broken.stdout, `✗ A_X100: hardwares/A_X100/${s.id}/${s.id}.patch carried to ${s.u.u3}, conflicts at ${s.u.u4}: ${MODEL} line 21\n    fix: tell vendor A_X100, or adjust ${MODEL}\n`);
  assert.match(broken.stdout, 'flagpatch impact: 1 patch broken by this change');
  assert.is((broken.stdout.match(/^✗/gm) ?? []).length, 1, 'one line per broken device');
  assert.is(impact([s.u.u2, '--since', s.u.u1]).code, 0, 'applies → merges still carries');
  assert.is(impact([s.u.u5, '--since', s.u.u4]).code, 0, 'already broken before this change');
  assert.is(impact([s.u.u1, '--since', s.u.u1]).code, 0);
  const md = impact([s.u.u4, '--since', s.u.u3, '--markdown']);
  assert.is(md.code, 1);
  assert.match(md.stdout, '**1 vendor patch broken by this change.**');
  assert.match(md.stdout, '| Device | Patch | Base | Before | State | Where | First bad |');
  assert.match(md.stdout, `| A\\_X100 | ${s.id} | ${s.base.slice(0, 12)} 2026-01-02 | 🟡 merges | ❌ conflicts (broken here) | flagscale/model\\.py line 21 |  |`);
  assert.match(md.stdout, `- A\\_X100: tell vendor A\\_X100, or adjust flagscale/model\\.py`);
});

// eslint-disable-next-line no-control-regex -- the test looks for raw control characters on purpose
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u202e]/;

test('hostile subjects are printed escaped; --json keeps them exact', () => {
  const r = impact([esc, '--first-bad', '--since', s.u.u5]);
  assert.is(r.code, 1);
  assert.match(r.stdout, `first bad: ${esc.slice(0, 7)} ${printable(SUBJECT)}`);
  assert.not.match(r.stdout, RAW_CONTROL, 'no raw control character');
  assert.ok(
    r.stdout.split('\n').every((l) => !l.startsWith('::')),
    'no line can pass for a workflow command',
  );
  const j = json([esc, '--first-bad']);
  assert.is(j.patches.find((p: { device: string }) => p.device === 'B_Y100').firstBad.subject, SUBJECT);
  const md = impact([esc, '--first-bad', '--markdown']).stdout;
  assert.match(md, markdown(SUBJECT));
  assert.not.match(md, RAW_CONTROL);
  assert.is(markdown('<b>|x`'), '\\<b\\>\\|x\\`');
});

test('impact writes nothing to the repository', () => {
  const before = snapshot(s.up);
  const listing = gitDirListing(s.up);
  for (const args of [[s.u.u5, '--first-bad'], [s.u.u4, '--since', s.u.u3, '--markdown'], ['--json']]) assert.ok(impact(args).code <= 1);
  assert.equal(snapshot(s.up), before);
  assert.equal(gitDirListing(s.up), listing);
  assert.ok(git(s.up, ['rev-parse', 'HEAD']));
});

test('the shipped pull request workflow is safe on untrusted pull requests; both commands have --help', () => {
  const yml = fs.readFileSync(path.join(ROOT, 'docs/flagpatch-impact.yml'), 'utf8');
  const code = yml
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
  assert.match(code, /^on:\n {2}pull_request:\n/m);
  assert.not.match(code, 'pull_request_target');
  assert.match(code, /^permissions:\n {2}contents: read\n/m);
  assert.match(code, 'fetch-depth: 0');
  assert.match(code, /npm install --prefix "\$RUNNER_TEMP\/fp" .*flagpatch@\d+\.\d+\.\d+\n/);
  assert.match(code, '"$RUNNER_TEMP/fp/node_modules/.bin/flagpatch" impact HEAD --since "$TARGET"');
  assert.match(code, '>> "$GITHUB_STEP_SUMMARY"');
  assert.not.match(code, /npx/);
  // The one expression is the target branch, passed through the environment, never into a script.
  assert.equal(code.match(/.*\$\{\{.*/g), ['          TARGET: origin/${{ github.base_ref }}']);
  for (const cmd of ['rebase', 'impact']) {
    const r = flagpatch(ROOT, [cmd, '--help']);
    assert.is(r.code, 0);
    assert.match(r.stdout, `Usage: flagpatch ${cmd}`);
  }
});

test.run();
