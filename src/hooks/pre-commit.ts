// The pre-commit hook: lint-staged (when configured), then the patch refresh.
import { openContext, type CommonOptions } from '../context.js';
import { refreshIn, type RefreshResult } from '../commands/refresh.js';
import { lintStagedConfigured, runLintStaged } from './lint-staged.js';

export function skipped(env: NodeJS.ProcessEnv | Record<string, string | undefined>): boolean {
  return env.FLAGPATCH_SKIP === '1' || env.HUSKY === '0';
}

export async function preCommit(opts: CommonOptions = {}): Promise<RefreshResult> {
  const env = opts.env ?? process.env;
  if (skipped(env)) return { action: 'skipped' };
  // The config of the index being committed decides, not the work tree's copy.
  const ctx = await openContext(opts, 'index');
  if (!ctx.cfg.deviceType) return { action: 'skipped' };
  if (lintStagedConfigured(ctx.git.top)) await runLintStaged(ctx.git.top, env as NodeJS.ProcessEnv, opts.signal);
  return refreshIn(ctx, env);
}
