// lint-staged runs before the refresh when the fork configures it, so the patch is made from
// the files as lint-staged leaves them in the index.
import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../errors.js';
import { spawnTool } from '../git/run.js';
import { throwIfAborted } from '../lifecycle.js';

// lint-staged's own config files (https://github.com/lint-staged/lint-staged#configuration).
const CONFIG_FILES = [
  '.lintstagedrc',
  '.lintstagedrc.json',
  '.lintstagedrc.yaml',
  '.lintstagedrc.yml',
  '.lintstagedrc.mjs',
  '.lintstagedrc.cjs',
  '.lintstagedrc.js',
  'lint-staged.config.mjs',
  'lint-staged.config.cjs',
  'lint-staged.config.js',
];

export function lintStagedConfigured(top: string): boolean {
  if (CONFIG_FILES.some((f) => fs.existsSync(path.join(top, f)))) return true;
  try {
    return 'lint-staged' in JSON.parse(fs.readFileSync(path.join(top, 'package.json'), 'utf8'));
  } catch {
    return false;
  }
}

/** Runs lint-staged (found on PATH, where husky puts node_modules/.bin) with the hook's env. */
export function runLintStaged(top: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    throwIfAborted(signal);
    const child = spawnTool('lint-staged', top, env);
    child.on('error', (e) =>
      reject(new RefusedError(`lint-staged is configured but cannot be run: ${e.message}`, 'run npm install in the fork (it installs lint-staged), or remove the lint-staged config')),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new RefusedError(`lint-staged failed (exit ${code}); the commit was stopped before the patch refresh`, 'fix what lint-staged reported, then commit again')),
    );
  });
}
