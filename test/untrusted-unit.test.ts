// In-process checks of the pieces that stand between other people's bytes and the user:
// path rules (git's own for every platform), exclude patterns, escaping of printed text, and
// mail header decoding. No git, no processes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isOwned } from '../src/layout.js';
import { decodeWords } from '../src/patch/format.js';
import { isDotGit, pathProblem } from '../src/patch/paths.js';
import { matchesPathspec, wildmatch } from '../src/pathspec.js';
import { escapeText, safeLine } from '../src/text.js';

test('.git and every name macOS or Windows takes for it', () => {
  for (const name of ['.git', '.GIT', '.Git', '.g\u200cit', '\ufeff.git', '.gi\u200et', 'git~1', 'GIT~1', '.git.', '.git ', '.git. .', '.git::$INDEX_ALLOCATION', '.GIT::$index_allocation']) {
    assert.ok(isDotGit(name), JSON.stringify(name));
  }
  for (const name of ['.gitignore', '.github', 'git', 'git~2', '.gitmodules', 'x.git', '.git2']) assert.not.ok(isDotGit(name), JSON.stringify(name));
});

test('paths a patch may not name, each with its reason', () => {
  const cases: [string, RegExp][] = [
    ['/etc/passwd', /absolute/],
    ['a/../../x', /climbs out/],
    ['a/./b', /not a normalized path/],
    ['a//b', /not a normalized path/],
    ['dir/', /not a file name/],
    ['x/.GIT/config', /writes into .git/],
    ['x/GIT~1/hooks/pre-commit', /writes into .git/],
    ['.git\\hooks\\x', /backslash/],
    ['a\nb', /control character/],
    ['a\x1b[2Jb', /control character/],
    ['a\u0000b', /NUL/],
    ['caf\ufffd', /not valid UTF-8/],
    [`${'d/'.repeat(2100)}x`, /longer than 4096 bytes/],
  ];
  for (const [p, why] of cases) assert.match(pathProblem(p) ?? 'accepted', why, JSON.stringify(p.slice(0, 40)));
  for (const p of ['flagscale/train.py', 'a b/ü.txt', '.github/workflows/ci.yml', 'x/.gitignore']) assert.is(pathProblem(p), null, p);
});

test('owned paths and exclude patterns, with git pathspec semantics', () => {
  const cfg = { patchDir: 'hardwares', heteroFile: 'hetero.txt', exclude: ['generated', '*.cfg', 'data/[ab]?.bin'] };
  for (const p of [
    'hardwares/A/x/x.patch',
    'hetero.txt',
    '.flagpatchrc.json',
    '.flagpatchrc',
    'flagpatch.config.js',
    'hooks/pre-commit',
    '.husky/pre-push',
    'generated/cache.bin',
    'deep/dir/local.cfg',
    'data/a1.bin',
  ]) {
    assert.ok(isOwned(cfg, p), p);
  }
  for (const p of ['hardwares.txt', 'hetero.txt.bak', 'package.json', 'hooksx/y', 'generated2/x', 'data/c1.bin', 'src/cfg']) assert.not.ok(isOwned(cfg, p), p);
  assert.ok(matchesPathspec('gen*', 'generated/cache.bin'), '* crosses "/"');
  assert.ok(wildmatch('a\\*b', 'a*b'));
  assert.not.ok(wildmatch('a\\*b', 'axb'));
  assert.ok(wildmatch('[!a]x', 'bx'));
  // Many stars against a long near-miss: one backtrack point, so this ends at once.
  assert.not.ok(wildmatch(`${'a*'.repeat(50)}b`, 'a'.repeat(20_000)));
});

test('printed text is escaped: no control character, no line can start a workflow command', () => {
  assert.is(escapeText('a\nb\r\x1b[2J\u202e\u0085\x7f'), 'a\\nb\\r\\x1b[2J\\u202e\\x85\\x7f');
  assert.is(escapeText('plain ü 名前'), 'plain ü 名前');
  assert.is(safeLine('::error::x'), '\\x3a:error::x');
  assert.is(safeLine('   ::warning::x'), '   \\x3a:warning::x');
  assert.is(safeLine('✗ hetero.txt:1: ::error::x'), '✗ hetero.txt:1: ::error::x');
});

test('mail headers decode RFC 2047 words in one pass', () => {
  assert.is(decodeWords('=?UTF-8?q?J=C3=BCrgen_M?= <j@x>'), 'Jürgen M <j@x>');
  assert.is(decodeWords('=?utf-8?b?w7w=?= =?utf-8?q?x?='), 'üx', 'space between two words is dropped');
  assert.is(decodeWords('a =?x'), 'a =?x');
  assert.is(decodeWords('=?UTF-8?q?no end'), '=?UTF-8?q?no end');
  const hostile = '=?u?q?a'.repeat(50_000) + '?=';
  assert.ok(decodeWords(hostile).length > 0, 'a long run of unterminated words ends at once');
});

test.run();
