// The rules a stored patch must keep besides being well formed (src/patch/parse.ts): it sits in
// the folder of its device and base, and it touches no owned path. check, status, unpatch and
// the refresh all run these same rules, so a patch accepted by one is accepted by all.
import type { Config } from '../config.js';
import { PatchRefusedError } from '../errors.js';
import { isOwned } from '../layout.js';
import { isOid } from '../oid.js';
import type { PatchMessage } from './parse.js';

export interface PatchLocation {
  device: string;
  id: string;
  /** The patch's path, naming it in messages. */
  path: string;
}

export function checkPatchRules(messages: readonly PatchMessage[], cfg: Pick<Config, 'patchDir' | 'heteroFile' | 'exclude'>, at: PatchLocation): void {
  for (const m of messages) {
    if (m.device !== undefined && m.device !== at.device) {
      throw new PatchRefusedError(at.path, `its Flagpatch-Device ${m.device} does not match its folder ${at.device}`, 'move the patch to the folder of its device, or regenerate it');
    }
    if (m.base !== undefined && (!isOid(m.base) || !m.base.startsWith(at.id))) {
      throw new PatchRefusedError(at.path, `its Flagpatch-Base ${m.base} does not match its folder ${at.id}`, 'regenerate the patch with `flagpatch patch`, or move it to the folder of its base');
    }
    for (const f of m.files) {
      for (const p of [f.oldPath, f.newPath]) {
        const owned = p === null ? null : isOwned(cfg, p);
        if (owned) {
          throw new PatchRefusedError(
            at.path,
            `refused path ${JSON.stringify(p)}: ${owned === 'alias' ? 'on macOS or Windows it is a path ' : 'it is '}owned by flagpatch (${cfg.patchDir}/, ${cfg.heteroFile}, config files, hooks/, .husky/ and "exclude" are never part of a vendor patch)`,
            owned === 'alias'
              ? 'rename the file in the vendor tree so no file system takes it for an owned path'
              : 'regenerate the patch with `flagpatch patch` from a tree whose owned paths are left to flagpatch',
          );
        }
      }
    }
  }
}
