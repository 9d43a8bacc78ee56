// In-process: which patch texts hold conflict markers, and what of a patch "fresh means exact"
// compares. The stories around them are in history-e2e.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conflictMarkerLine, statAndDiffOf } from '../src/patch/fresh.js';

const patch = (body: string) =>
  Buffer.from(
    `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: [PATCH] [A_X100] x\n\nFlagpatch-Base: ${'a'.repeat(40)}\nFlagpatch-Device: A_X100\n---\n${body}-- \nflagpatch\n`,
  );

test('conflict markers: an opening line followed by a closing one, at its line', () => {
  const text = patch(' a | 2 +-\n\ndiff --git a/a b/a\n<<<<<<< HEAD\n-x\n+y\n=======\n+z\n>>>>>>> feature\n');
  assert.is(conflictMarkerLine(text), 11);
});

test('no conflict markers: diff lines, a lone ======= (a markdown underline in a message), binary data', () => {
  assert.is(conflictMarkerLine(patch(' a | 2 +-\n\ndiff --git a/a b/a\n-<<<<<<< not at column 0\n+>>>>>>> either\n')), null);
  assert.is(conflictMarkerLine(Buffer.from('Subject: notes\n\nTitle\n=======\n---\n')), null);
  assert.is(conflictMarkerLine(Buffer.from('GIT binary patch\nliteral 5\nMcmZ?<<<<<<<>>>>>>>\n\n')), null);
  assert.is(conflictMarkerLine(Buffer.from('<<<<<<< only an opening line\n')), null);
});

test('what is compared: everything after the --- line, without the signature', () => {
  assert.is(statAndDiffOf(patch(' a | 2 +-\n\ndiff --git a/a b/a\n'))?.toString(), ' a | 2 +-\n\ndiff --git a/a b/a\n');
  assert.is(statAndDiffOf(Buffer.from('no separator here\n')), null);
});

test.run();
