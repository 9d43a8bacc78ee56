// The patch reader in-process, no git: every patch of the hostile corpus is refused by
// parsePatch or the stored-patch rules (or, for the two only a base can judge, parses, and
// apply refuses it in test/hostile.test.ts); what flagpatch writes parses back to its fields.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PatchRefusedError } from '../../src/errors.js';
import { formatMailbox } from '../../src/patch/format.js';
import { parsePatch } from '../../src/patch/parse.js';
import { checkPatchRules } from '../../src/patch/rules.js';
import { ROOT } from '../helpers.js';

const CORPUS = path.join(ROOT, 'test', 'fixtures', 'hostile');
const expect: Record<string, string> = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expect.json'), 'utf8'));
// Refused only once applied: they are well-formed, the base or git's apply says no.
const REFUSED_ON_APPLY = new Set(['write-through-base-symlink.patch', 'huge-hunk (generated: 50 MB)']);

for (const name of Object.keys(expect).filter((n) => !REFUSED_ON_APPLY.has(n))) {
  test(`hostile ${name}: parsePatch and the stored-patch rules refuse it: ${expect[name]}`, () => {
    const buf = fs.readFileSync(path.join(CORPUS, name));
    try {
      // What every reader runs: the parser, then the rules for a patch stored at EVIL/<ID>.
      const messages = parsePatch(buf, 'x.patch');
      const id = messages.find((m) => m.base)?.base?.slice(0, 6) ?? '111111';
      checkPatchRules(messages, { patchDir: 'hardwares', heteroFile: 'hetero.txt', exclude: [] }, { device: 'EVIL', id, path: 'x.patch' });
    } catch (e) {
      assert.instance(e, PatchRefusedError);
      assert.is((e as PatchRefusedError).patchFile, 'x.patch');
      assert.ok((e as PatchRefusedError).reason.includes(expect[name]), `${name}: ${(e as Error).message}`);
      assert.ok((e as PatchRefusedError).fix);
      return;
    }
    assert.unreachable(`${name} was accepted`);
  });
}

test('the corpus patch that writes through a symlink of the base parses (its base decides)', () => {
  const [m] = parsePatch(fs.readFileSync(path.join(CORPUS, 'write-through-base-symlink.patch')), 'x.patch');
  assert.ok(m.files.length >= 1);
  for (const f of m.files) assert.not.match(f.newPath ?? '', /^\/|(^|\/)\.\.(\/|$)/);
});

const DIFF = `README.md | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/README.md b/README.md
index 1111111..2222222 100644
--- a/README.md
+++ b/README.md
@@ -1 +1 @@
-old
+new
`;

for (const [label, oid] of [
  ['SHA-1', 'a'.repeat(40)],
  ['SHA-256', 'b'.repeat(64)],
]) {
  test(`what formatMailbox writes parses back to its fields (${label} base)`, () => {
    const info = { author: { name: 'Zoë Vendor', email: 'z@v.example', date: 'Fri, 2 Jan 2026 03:04:05 +0000' }, subject: '[A_X100] Adapt FlagScale', base: oid, device: 'A_X100' };
    const [m, ...more] = parsePatch(formatMailbox(info, Buffer.from(DIFF)), 'x.patch');
    assert.is(more.length, 0);
    assert.equal([m.author, m.date, m.subject, m.base, m.device], [{ name: 'Zoë Vendor', email: 'z@v.example' }, info.author.date, info.subject, oid, 'A_X100']);
    assert.equal(
      m.files.map((f) => [f.oldPath, f.newPath, f.added, f.removed]),
      [['README.md', 'README.md', 1, 1]],
    );
  });
}

test('a mailbox separator with a 64-digit id starts a message, as git format-patch writes in SHA-256 repositories', () => {
  const one = `From ${'c'.repeat(64)} Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: [PATCH] one\n\n---\ndiff --git a/x b/x\nindex 1111111..2222222 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n`;
  const messages = parsePatch(Buffer.from(one + one.replace('one', 'two')), 'x.patch');
  assert.equal(
    messages.map((m) => m.subject),
    ['one', 'two'],
  );
});

test.run();
