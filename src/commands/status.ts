// `flagpatch status`: one row per patch of HEAD.
import { openContext, type CommonOptions } from '../context.js';
import { inspect, type PatchReport } from '../inspect.js';
import { withWorkspace } from '../tmp.js';

export interface StatusResult {
  commit: string;
  patches: PatchReport[];
}

export async function status(opts: CommonOptions & { rev?: string } = {}): Promise<StatusResult> {
  const ctx = await openContext(opts);
  const found = await withWorkspace((dir) => inspect(ctx, opts.rev ?? 'HEAD', dir));
  return { commit: found.commit, patches: found.patches };
}
