#!/usr/bin/env node
// The flagpatch binary: src/main.ts bound to this process. The only place that decides what
// a signal does: Ctrl-C, SIGTERM and SIGHUP abort the run (no further git process starts,
// running ones are waited for, temporary files removed), then the process dies of the same
// signal so the caller (git, a shell) sees what happened (exit 130, 143).
// Nothing heavy is imported before the Node version is checked.
import { createRequire } from 'node:module';
import { nodeTooOld } from './engines.js';

const tooOld = nodeTooOld(process.versions.node, createRequire(import.meta.url)('flagpatch/package.json').engines.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(2);
}

const { main } = await import('./main.js');
const { runCleanups } = await import('./lifecycle.js');

function stdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) return resolve('');
    controller.signal.addEventListener('abort', () => resolve('')); // the run stops at its next step
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

const controller = new AbortController();
let caught: NodeJS.Signals | null = null;

/** Ends the process of `signal`, after the clean-ups of anything still under way. */
function die(signal: NodeJS.Signals): void {
  runCleanups();
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (caught) return;
    caught = signal;
    controller.abort(signal);
    // A run that has not ended 10 s after the signal is not waited for any longer.
    setTimeout(() => die(signal), 10_000);
  });
}
process.on('exit', runCleanups);

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin,
  tty: { stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) },
  signal: controller.signal,
});
if (caught) die(caught);
else process.exitCode = code;
