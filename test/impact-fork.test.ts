// `flagpatch impact REV` in a vendor fork (step 2 of the README's vendor workflow): it judges the
// fork's own patch (HEAD's, for the configured base) against REV, exits 1 when it would not
// carry, and tells the vendor what to do (rebase and resolve), never "tell vendor <itself>".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, git, snapshot, tmpdir } from './helpers.js';
import { MODEL, copyFork, withStory, type Story } from './upstream-moves.js';

let s: Story;
withStory(test, 'impact-fork', (made) => (s = made));
test.after.each(cleanup);

const forkCopy = () => copyFork(s, tmpdir());

const own = () => `hardwares/A_X100/${s.id}/${s.id}.patch`;

test("in a fork, impact REV judges the fork's own patch: exit 1 on a conflict, with the rebase to run", () => {
  const v = forkCopy();
  const head = git(v, ['rev-parse', 'HEAD']);
  const before = snapshot(v);
  const r = flagpatch(v, ['impact', 'upstream/main']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.is(lines[0], `flagpatch impact: A_X100's patch in this fork (HEAD ${head.slice(0, 12)}) → upstream/main (${s.u.u5.slice(0, 12)})`);
  assert.match(r.stdout, `A_X100  ${s.id}  base ${s.base.slice(0, 12)} 2026-01-02  conflicts: ${MODEL} line 21\n`);
  assert.match(r.stdout, `✗ A_X100: ${own()} conflicts at upstream/main: ${MODEL} line 21\n`);
  assert.match(r.stdout, `    fix: npx --no-install flagpatch rebase --onto upstream/main stops at ${MODEL} for you to resolve (then git add and npx --no-install flagpatch rebase --continue)\n`);
  assert.match(r.stdout, "flagpatch impact: A_X100's patch does not carry to upstream/main");
  assert.not.match(r.stdout, 'tell vendor');
  assert.not.match(r.stdout, 'B_Y100', "upstream's other patches are not the fork's question");
  const j = JSON.parse(flagpatch(v, ['impact', 'upstream/main', '--json']).stdout);
  assert.equal(j.fork, { device: 'A_X100', own: true, head });
  assert.equal(
    j.patches.map((p: { path: string; state: string }) => [p.path, p.state]),
    [[own(), 'conflicts']],
  );
  const md = flagpatch(v, ['impact', 'upstream/main', '--markdown']);
  assert.is(md.code, 1);
  assert.match(md.stdout, '- A\\_X100: npx --no-install flagpatch rebase --onto upstream/main stops at');
  assert.equal(snapshot(v), before, 'nothing written');
});

test('in a fork, a REV the patch carries to: exit 0 and the rebase as the next step', () => {
  const v = forkCopy();
  const r = flagpatch(v, ['impact', s.u.u2]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, `2026-01-02  merges (three-way)\n`);
  assert.match(r.stdout, `flagpatch impact: ok: A_X100's patch carries to ${s.u.u2} (merges); next: npx --no-install flagpatch rebase --onto ${s.u.u2}\n`);
  // --since keeps its meaning (the patches of OLD), with the fork's own device told to rebase.
  const since = flagpatch(v, ['impact', 'upstream/main', '--since', 'HEAD']);
  assert.is(since.code, 1);
  assert.match(since.stdout, '    fix: npx --no-install flagpatch rebase --onto upstream/main stops at');
});

test.run();
