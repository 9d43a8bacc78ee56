// `npm run reliability -- --trials N [--fuzz N] [--seed S]`: the longer run of the reliability
// suite, with figures. Fault injection (N trials per command), the fuzzers (N inputs each),
// the hostile-patch corpus, --dir safety and concurrency; writes docs/RELIABILITY.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { costlyRepo, measureCheck } from './lib/costly.js';
import { faultTrials, type Kind, type TrialReport } from './lib/faults.js';
import { cleanup, tmpdir } from './lib/repos.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const TRIALS = arg('trials', 100);
const FUZZ = arg('fuzz', 5000);
const SEED = arg('seed', Date.now() % 1_000_000);
const OUT = path.join(ROOT, 'docs', 'RELIABILITY.md');

function suite(file: string, env: NodeJS.ProcessEnv = {}): { ok: boolean; summary: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'uvu', 'bin.js'), 'dist/test', `^${file}$`], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  // eslint-disable-next-line no-control-regex
  const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const passed = /Passed:\s+(\d+)/.exec(plain)?.[1] ?? '0';
  const total = /Total:\s+(\d+)/.exec(plain)?.[1] ?? '?';
  return { ok: r.status === 0, summary: `${passed}/${total} tests passed` };
}

const started = Date.now();
const faults: TrialReport[] = [];
for (const kind of ['patch', 'unpatch', 'refresh'] as Kind[]) {
  process.stdout.write(`fault injection: ${kind}, ${TRIALS} trials... `);
  const r = await faultTrials(kind, TRIALS, SEED);
  cleanup();
  faults.push(r);
  console.log(`${r.interrupted} interrupted (${r.sigkill} SIGKILL, ${r.sigint} SIGINT), ${r.failures.length} failures`);
  for (const f of r.failures.slice(0, 10)) console.log(`  ${f}`);
}
console.log(`fuzzing: ${FUZZ} inputs each...`);
const fuzzArgs = suite('fuzz.test.js', { FLAGPATCH_FUZZ: String(FUZZ), FLAGPATCH_SEED: String(SEED) });
const fuzzHetero = suite('unit/hetero.test.js', { FLAGPATCH_FUZZ: String(FUZZ), FLAGPATCH_SEED: String(SEED) });
const fuzz = { ok: fuzzArgs.ok && fuzzHetero.ok, summary: `${fuzzArgs.summary} (arguments, config), ${fuzzHetero.summary} (hetero.txt against an oracle)` };
const corpus = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'hostile', 'expect.json'), 'utf8'))).length;
const hostile = suite('hostile.test.js');
const dirs = suite('dir-safety.test.js');
const concurrency = suite('concurrency.test.js');
// Bounded cost: each costly input against `check` of the same repository with a normal patch
// (medians of 3 whole processes, as a user runs them).
console.log('bounded cost: costly inputs vs a normal check...');
const costly = costlyRepo(tmpdir());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = (commit: string) => Array.from({ length: 3 }, () => measureCheck(costly.dir, commit));
const normalRuns = runs(costly.normal);
const normalTime = median(normalRuns.map((r) => r.seconds));
const costRows = costly.inputs.map((input) => {
  const r = runs(input.commit);
  const seconds = median(r.map((x) => x.seconds));
  const peak = Math.max(...r.map((x) => x.peakMB ?? 0));
  const ratio = seconds / normalTime;
  const held = r.every((x) => x.code === 1) && ratio <= 3 && peak <= 300;
  console.log(`  ${input.name}: exit ${r[0].code}, ${seconds.toFixed(2)} s (${ratio.toFixed(1)}× normal), ${peak.toFixed(0)} MB`);
  return { name: input.name, seconds, ratio, peak, held, said: r[0].stdout.split('\n')[1] ?? '' };
});
cleanup();
const bounded = costRows.every((r) => r.held);
const ok = faults.every((f) => f.failures.length === 0) && fuzz.ok && hostile.ok && dirs.ok && concurrency.ok && bounded;

const md = `# Reliability

What the "Guarantees" of the SPEC promise, how each is tested, and the figures of the last long
run (${new Date().toISOString().slice(0, 10)}, seed ${SEED}, ${Math.round((Date.now() - started) / 1000)} s).
CI runs the same tests with a shorter share on every push (\`npm test\`: 12 fault trials per
command, 1,000 fuzz inputs per kind).

Rerun: \`npm run build && node dist/scripts/reliability.js --trials ${TRIALS} --fuzz ${FUZZ} [--seed S]\`
(\`npm run reliability -- --trials N\`). A failing trial or input prints its seed; rerun with it.

| guarantee | how it is tested | last long run |
|---|---|---|
${faults
  .map(
    (f) =>
      `| \`${f.kind === 'refresh' ? 'the pre-commit refresh' : f.kind === 'unpatch' ? 'unpatch --dir' : 'patch'}\` survives being killed at any moment | test/faults.ts: SIGKILL of the process or SIGINT of its group at a random moment; then user files, index, HEAD, refs and stash as before (the patch file and index old or new), \`git fsck\` clean, no stale lock, nothing of ours left (after SIGKILL: after a plain rerun) | ${f.trials} trials, ${f.interrupted} interrupted (${f.sigkill} SIGKILL, ${f.sigint} SIGINT), **${f.failures.length} failures** |`,
  )
  .join('\n')}
| a patch from someone else cannot write outside its tree | test/hostile.test.ts: ${corpus} hostile patches (absolute paths, \`..\`, \`.git/\`, writes through a symlink it creates or the base has, a rename out of the tree, malformed mailboxes and hunks, NUL in names, a diff smuggled between or after file diffs, a 50 MB hunk); \`check\` and \`unpatch --dir\` refuse each (exit 1, the reason, a fix) and nothing is written | ${hostile.summary}: ${corpus} of ${corpus} refused |
| bad input gets a clear answer | test/fuzz.test.ts: generated argument lists (exit 2 naming the problem), config files (accepted, or exit 2 naming file and key), never a stack trace; test/unit/hetero.test.ts: generated hetero.txt files rendered with noise parse back to exactly what was generated, and a broken line is reported on its line | ${fuzz.summary}, ${FUZZ} inputs each (${FUZZ * 3} in all) |
| \`--dir\` deletes nothing flagpatch did not create | test/dir-safety.test.ts, test/dir.test.ts: \`/\`, \`..\`, \`.\`, the repository itself, a path through a symlink, a folder holding someone's files | ${dirs.summary} |
| two processes at once: both succeed or one waits; never a corrupt index | test/concurrency.test.ts: two refreshes, a commit while \`unpatch --dir\` runs; writes to a held index wait for its lock (up to 5 s) | ${concurrency.summary} |
| the user's work tree, index, stash, HEAD and branches are untouched | test/untouched.test.ts after every command, with an uncommitted edit and an untracked file | part of \`npm test\` |

## Bounded cost

Inputs a commit can carry cheaply, each judged by \`flagpatch check\` as a whole process (scripts/lib/costly.ts,
asserted in test/bounded.test.ts without timings): the target is at most 3× the time of \`check\` of
the same repository with a normal patch (${normalTime.toFixed(2)} s here, median of 3) and at most 300 MB
of peak memory (of the flagpatch process, by \`/usr/bin/time\`).

| input | what check says | time (× normal) | peak memory | held |
|---|---|---|---|---|
${costRows.map((r) => `| ${r.name} | ${r.said.replace(/\|/g, '\\|').slice(0, 120)} | ${r.seconds.toFixed(2)} s (${r.ratio.toFixed(1)}×) | ${r.peak.toFixed(0)} MB | ${r.held ? 'yes' : '**no**'} |`).join('\n')}

Overall: ${ok ? 'every guarantee held' : '**a guarantee failed: see the failures above**'}.
`;
fs.writeFileSync(OUT, md);
console.log(`wrote ${OUT}`);
process.exitCode = ok ? 0 : 1;
