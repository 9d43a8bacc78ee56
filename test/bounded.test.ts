// Bounded cost and unforgeable output: inputs an attacker can put in a commit cheaply (a huge
// header, a blob named a hundred times, a 99 MB patch, a path 20,000 folders deep, 300,000
// broken hetero.txt lines) are refused with the limit named, in bounded memory, and print a
// bounded, escaped report. Times are figures of `npm run reliability`, never asserted here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { costlyRepo, measureCheck } from '../scripts/lib/costly.js';
import { cleanup, forgeries, tmpdir } from './helpers.js';

test.after.each(cleanup);

const EXPECT: Record<string, RegExp> = {
  'a 400 KB From: header': /B_FROM\/.*a line is longer than 64 KiB, the limit for a header or file name line/,
  'one 20 MB blob at 100 patch paths': /B_MANY0\/.*its message is longer than 1 MiB/,
  'a 99 MB patch of blank lines': /B_HUGE\/.*is larger than 64 MiB, the limit for a patch file/,
  'a path 20,000 folders deep': /B_DEEP\/.*a line is longer than 64 KiB/,
  'a path 3,000 folders deep': /B_LONG\/.*it is longer than 4096 bytes, the limit for a path/,
  '1,000 files 200 folders deep': /B_DEEPISH\/.*it is more than 128 folders deep, the limit for a path/,
  'a legacy mailbox of 1,001 messages': /B_LEGACY\/.*holds more than 1000 messages/,
  '100,000 hetero.txt combinations without patches': /hetero\.txt:10001: has 100000 lines, more than 10000/,
  '300,000 broken hetero.txt lines': /hetero\.txt:2: expected "<ID>: <DEVICE> <DEVICE>\.\.\.", found "x"/,
};

test('each costly input is refused with its limit named, in bounded memory and output', () => {
  const { dir, normal, inputs } = costlyRepo(tmpdir());
  const ok = measureCheck(dir, normal);
  assert.is(ok.code, 0, ok.stderr + ok.stdout);
  for (const input of inputs) {
    const r = measureCheck(dir, input.commit);
    assert.is(r.code, 1, `${input.name}: ${r.stderr}`);
    assert.match(r.stdout, EXPECT[input.name], `${input.name}: ${r.stdout.slice(0, 2000)}`);
    assert.not.match(r.stderr, /\n\s+at /, `${input.name}: no stack trace`);
    const lines = r.stdout.split('\n').length;
    assert.ok(lines < 120, `${input.name}: ${lines} lines of output`);
    assert.equal(forgeries(r.stdout + r.stderr), [], `${input.name}: escaped output`);
    if (r.peakMB !== null) assert.ok(r.peakMB < 300, `${input.name}: peak memory ${r.peakMB.toFixed(0)} MB`);
  }
  const hetero = measureCheck(dir, inputs.find((i) => i.name.startsWith('300,000'))!.commit);
  assert.match(hetero.stdout, /… and \d+ more problems/);
  assert.match(hetero.stdout, /✗ hetero\.txt:10001: has 300000 lines, more than 10000, the limit for the hetero registry; the rest is not read/);
  assert.match(hetero.stdout, /10001 problems/, 'every problem of the lines read is counted');
  const missing = measureCheck(dir, inputs.find((i) => i.name.includes('combinations'))!.commit);
  assert.match(missing.stdout, /20001 problems/, 'every missing patch of the lines read is counted');
  assert.match(missing.stdout, /… and 19951 more problems/);
});

test.run();
