// The library never owns the process: a host with its own SIGINT listener calls check(), gets
// SIGINT, and its listener runs and the process lives on. A host that wants to stop a call
// passes an AbortSignal: the call rejects with AbortedError and leaves no temporary folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENV, ROOT, cleanup, tmpdir, upstreamWithPatch } from './helpers.js';

test.after.each(cleanup);

const HOST = `
import fs from 'node:fs';
import { check } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/src/index.js')).href)};
const [cwd] = process.argv.slice(2);
const others = () => ['SIGTERM', 'SIGHUP', 'exit'].map((s) => process.listenerCount(s));
const out = { listenersBefore: process.listenerCount('SIGINT'), othersBefore: others() };
let heard = 0;
process.on('SIGINT', () => heard++);

// 1. SIGINT while check() runs, no AbortSignal given: the host decides, check carries on.
const running = check({ cwd });
process.kill(process.pid, 'SIGINT');
out.ok = (await running).ok;
while (heard === 0) await new Promise((r) => setImmediate(r));
out.heard = heard;
out.listenersAfter = process.listenerCount('SIGINT');
out.othersAfter = others();

// 2. The host aborts a call: it rejects with AbortedError, after cleaning up.
const ac = new AbortController();
const aborted = check({ cwd, signal: ac.signal });
ac.abort('stopped by the host');
out.aborted = await aborted.then(() => 'resolved', (e) => e.name + ': ' + e.message);
out.preAborted = await check({ cwd, signal: AbortSignal.abort('early') }).then(() => 'resolved', (e) => e.name);
out.leftovers = fs.readdirSync(process.env.TMPDIR).filter((n) => n.startsWith('flagpatch-'));
console.log(JSON.stringify(out));
`;

test('a host process keeps its SIGINT listener and its life; an aborted call rejects and cleans up', () => {
  const root = tmpdir();
  const up = upstreamWithPatch(root);
  const host = path.join(root, 'host.mjs');
  fs.writeFileSync(host, HOST);
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(tmp);
  const r = spawnSync(process.execPath, [host, up.dir], { env: { ...ENV, TMPDIR: tmp }, encoding: 'utf8' });
  assert.is(r.signal, null, 'the host was not killed');
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.othersAfter, out.othersBefore, 'no SIGTERM, SIGHUP or exit listener added');
  delete out.othersBefore;
  delete out.othersAfter;
  assert.equal(out, {
    listenersBefore: 0,
    ok: true,
    heard: 1,
    listenersAfter: 1,
    aborted: 'AbortedError: stopped before the end (stopped by the host); nothing half-done was left',
    preAborted: 'AbortedError',
    leftovers: [],
  });
});

test.run();
