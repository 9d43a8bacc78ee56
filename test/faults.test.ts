// The CI share of the fault injection: 12 seeded trials per command, so `npm test` stays
// short (FLAGPATCH_TRIALS=N for more; the long run with figures is `npm run reliability`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faultTrials, type Kind } from '../scripts/lib/faults.js';
import { cleanup } from './helpers.js';

const TRIALS = Number(process.env.FLAGPATCH_TRIALS ?? 12);
const SEED = Number(process.env.FLAGPATCH_SEED ?? 20261127);

test.after.each(cleanup);

for (const kind of ['patch', 'unpatch', 'refresh'] as Kind[]) {
  test(`${kind} killed at random moments (SIGKILL, SIGINT): ${TRIALS} trials, every guarantee holds`, async () => {
    const r = await faultTrials(kind, TRIALS, SEED + kind.length);
    assert.equal(r.failures, [], r.failures.slice(0, 5).join('\n'));
    assert.is(r.trials, TRIALS);
    assert.ok(r.interrupted >= TRIALS / 4, `only ${r.interrupted} of ${TRIALS} runs were interrupted: the kills come too late`);
    assert.ok(r.sigint > 0, 'some runs died of Ctrl-C (SIGINT) after cleaning up, as a shell expects (exit 130)');
  });
}

test.run();
