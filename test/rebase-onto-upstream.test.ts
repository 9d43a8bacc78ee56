// What REV may be for `flagpatch rebase --onto REV` in a fork: an upstream commit, never one
// whose history holds the fork's own commits (the fork's own remote branch typed by mistake);
// the current base is nothing to do. And `patch --onto X` needs X to hold the base.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup, flagpatch, git, snapshot, tmpdir } from './helpers.js';
import { copyFork, withStory, type Story } from './upstream-moves.js';

let s: Story;
withStory(test, 'onto', (made) => (s = made));
test.after.each(cleanup);

const forkCopy = () => copyFork(s, tmpdir());

const head = (v: string) => git(v, ['rev-parse', 'HEAD']);
const laterWork = (v: string) => {
  fs.appendFileSync(path.join(v, 'README.md'), 'later work\n');
  git(v, ['commit', '-q', '-am', 'later work']);
};

test('REV must be upstream: a REV in the fork history or built on the fork is refused, nothing touched', () => {
  const v = forkCopy();
  const start = head(v);
  // The fork's own remote branch (an ancestor of HEAD holding vendor commits).
  fs.appendFileSync(path.join(v, 'README.md'), 'vendor 1\n');
  git(v, ['commit', '-q', '-am', 'vendor 1']);
  git(v, ['branch', 'origin-main']);
  laterWork(v);
  const before = snapshot(v);
  const r = flagpatch(v, ['rebase', '--onto', 'origin-main']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, '--onto origin-main (');
  assert.match(r.stderr, "is already in this fork's history (HEAD holds it) and is newer than the base: it is a commit of the fork, not an upstream commit; nothing was changed");
  assert.match(r.stderr, 'fix: pass --onto the upstream commit to move to, e.g. upstream/main after git fetch upstream');
  assert.equal(snapshot(v), before);
  // A branch built on the fork: upstream's commit merged with vendor commits.
  git(v, ['checkout', '-q', '-b', 'mixed', s.u.u2]);
  git(v, ['merge', '-q', '--no-edit', '-s', 'ours', start]);
  git(v, ['checkout', '-q', '-']);
  const before2 = snapshot(v);
  const m = flagpatch(v, ['rebase', '--onto', 'mixed']);
  assert.is(m.code, 1, m.stdout + m.stderr);
  assert.match(m.stderr, `holds commits of this fork that upstream does not have (e.g. ${start.slice(0, 12)}): it is not an upstream commit; nothing was changed`);
  assert.equal(snapshot(v), before2);
});

test('patch --onto X needs X to hold the base: an older upstream commit is refused, a newer one is fine', () => {
  const v = forkCopy();
  assert.is(flagpatch(v, ['rebase', '--onto', s.u.u2]).code, 0);
  const before = snapshot(v);
  const r = flagpatch(v, ['patch', '--onto', s.u.u1]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, `--onto ${s.u.u1} (${s.u.u1.slice(0, 12)}) does not hold the base ${s.u.u2.slice(0, 12)}: upstream at it lacks the commit the patch is made against; nothing was committed`);
  assert.match(
    r.stderr,
    'fix: pass --onto an upstream commit that holds the base (e.g. upstream/main after git fetch upstream), or move the fork there first: npx --no-install flagpatch rebase --onto',
  );
  assert.equal(snapshot(v), before);
  const ok = flagpatch(v, ['patch', '--onto', s.u.u3]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
});

test('REV = the current base: nothing to do, exit 0, nothing touched', () => {
  const v = forkCopy();
  const before = snapshot(v);
  const same = flagpatch(v, ['rebase', '--onto', s.base]);
  assert.is(same.code, 0, same.stdout + same.stderr);
  assert.is(same.stdout, `flagpatch rebase: nothing to do: .flagpatchrc.json is already based on ${s.base.slice(0, 12)}\n`);
  assert.equal(snapshot(v), before);
  assert.equal(JSON.parse(flagpatch(v, ['rebase', '--onto', s.base, '--json']).stdout).state, 'current');
});

test.run();
