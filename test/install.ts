// The packed package installed into a fork without the registry, shared by the end-to-end
// tests (test/hooks-e2e.test.ts, test/history-e2e.test.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { ENV, ROOT } from './helpers.js';

/**
 * Installs the packed package into `fork` as `npm install` lays it out, without the registry
 * (no test may need the network): the tarball unpacked into node_modules/flagpatch; its
 * dependencies and lint-staged linked from this repository's node_modules (installed by
 * `npm ci` from its lock file); the bin links; then the fork's `prepare` script, run by npm.
 * Returns why it cannot, when this repository's node_modules lacks one of them.
 */
export function installOffline(fork: string, tarball: string): string | null {
  const modules = path.join(fork, 'node_modules');
  const own = path.join(modules, 'flagpatch');
  fs.mkdirSync(own, { recursive: true });
  fs.mkdirSync(path.join(modules, '.bin'));
  const tar = spawnSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', own], { encoding: 'utf8' });
  assert.is(tar.status, 0, tar.stderr);
  const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(manifest(own).dependencies), 'lint-staged']) {
    const from = path.join(ROOT, 'node_modules', dep);
    if (!fs.existsSync(path.join(from, 'package.json'))) return `${dep} is not in ${path.join(ROOT, 'node_modules')}: run npm ci first`;
    fs.symlinkSync(from, path.join(modules, dep));
  }
  for (const name of ['flagpatch', 'lint-staged']) {
    const dir = path.join(modules, name);
    const bin = manifest(dir).bin;
    for (const [cmd, file] of Object.entries<string>(typeof bin === 'string' ? { [name]: bin } : bin)) {
      if (name === 'flagpatch') fs.chmodSync(path.join(dir, file), 0o755); // npm makes bins executable
      fs.symlinkSync(path.join('..', name, file), path.join(modules, '.bin', cmd));
    }
  }
  const prepare = spawnSync('npm', ['run', '--silent', 'prepare'], { cwd: fork, encoding: 'utf8', env: { ...process.env, ...ENV, HOME: process.env.HOME, HUSKY: '' } });
  assert.is(prepare.status, 0, prepare.stderr);
  return null;
}

/** A fork's owned paths, as the end-to-end tests leave them out when comparing vendor code. */
export const OWNED = ['hardwares', 'hetero.txt', '.flagpatchrc.json', 'hooks', 'package.json', 'package-lock.json'];

/** Runs a command in `cwd` with the tests' clean environment (plus `env`). */
export function run(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...ENV, ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `test` for stories that need the packed package installed in a fork: when `skipped()` gives
 * a reason (no local install to pack from), each says SKIPPED with it instead of failing.
 */
export function needsInstall(test: (name: string, fn: () => void) => void, tag: string, skipped: () => string | null) {
  return (name: string, fn: () => void): void =>
    test(name, () => {
      const why = skipped();
      if (why) return void console.log(`${tag}: SKIPPED "${name}": ${why}`);
      fn();
    });
}
