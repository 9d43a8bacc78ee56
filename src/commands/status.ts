// `flagpatch status`: one row per patch of a commit (default HEAD), judged with its own config.
import { openRepo, type CommonOptions } from '../context.js';
import { inspect, type PatchReport } from '../inspect.js';
import { withWorkspace } from '../tmp.js';

export interface StatusResult {
  commit: string;
  patches: PatchReport[];
}

export async function status(opts: CommonOptions & { rev?: string } = {}): Promise<StatusResult> {
  const git = await openRepo(opts);
  const found = await withWorkspace((dir) => inspect(git, { rev: opts.rev ?? 'HEAD' }, dir));
  return { commit: found.commit, patches: found.patches };
}
