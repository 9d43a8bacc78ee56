// `flagpatch check [REV]`: what pre-push and upstream CI run.
import { openContext, type CommonOptions } from '../context.js';
import { inspect, type Inspection } from '../inspect.js';
import { withWorkspace } from '../tmp.js';

export interface CheckOptions extends CommonOptions {
  /** The commit to check (default HEAD). */
  rev?: string;
}

export interface CheckResult extends Inspection {
  ok: boolean;
}

export async function check(opts: CheckOptions = {}): Promise<CheckResult> {
  const ctx = await openContext(opts);
  const found = await withWorkspace((dir) => inspect(ctx, opts.rev ?? 'HEAD', dir));
  return { ...found, ok: found.violations.length === 0 };
}
