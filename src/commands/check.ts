// `flagpatch check [REV]`: what pre-push and upstream CI run. REV is judged with its own
// config, or with a trusted revision's (`--config-from`, for pull requests from others).
import { openRepo, type CommonOptions } from '../context.js';
import { inspect, type Inspection } from '../inspect.js';
import { withWorkspace } from '../tmp.js';

export interface CheckOptions extends CommonOptions {
  /** The commit to check (default HEAD). */
  rev?: string;
  /** A trusted revision whose config judges REV (CI: the pull request's target branch). */
  configFrom?: string;
  /** With configFrom: accept a commit whose own config differs from the trusted one. */
  allowConfigChange?: boolean;
}

export interface CheckResult extends Inspection {
  ok: boolean;
}

export async function check(opts: CheckOptions = {}): Promise<CheckResult> {
  const git = await openRepo(opts);
  const found = await withWorkspace((dir) => inspect(git, { rev: opts.rev ?? 'HEAD', configFrom: opts.configFrom, allowConfigChange: opts.allowConfigChange }, dir));
  return { ...found, ok: found.violations.length === 0 };
}
