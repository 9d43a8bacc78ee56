// Which paths a patch may name. The rules are git's own for every platform (core.protectHFS and
// core.protectNTFS), applied on Linux too, so a patch checked on Linux is safe on a Mac or on
// Windows: no absolute path, no "..", nothing that is or looks like ".git".
import { LIMITS } from '../limits.js';

// Code points HFS+ ignores in file names, so ".g\u200cit" is ".git" on a Mac (git's is_hfs_dotgit).
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/gu;

/** Why `p` may not be written by a patch, or null when it may. */
export function pathProblem(p: string): string | null {
  if (p.includes('\0')) return 'it holds a NUL byte';
  if (Buffer.byteLength(p) > LIMITS.pathBytes) return `it is longer than ${LIMITS.pathBytes} bytes, the limit for a path`;
  if (p.includes('\ufffd')) return 'it is not valid UTF-8';
  if (/[\x01-\x1f\x7f]/.test(p)) return 'it holds a control character';
  if (p.includes('\\')) return 'it holds a backslash, a folder separator on Windows';
  if (p.startsWith('/')) return 'it is absolute';
  if (p === '' || p.endsWith('/')) return 'it is not a file name';
  const parts = p.split('/');
  if (parts.length > LIMITS.pathDepth) return `it is more than ${LIMITS.pathDepth} folders deep, the limit for a path`;
  if (parts.some((x) => x === '..')) return 'it climbs out of the tree with ".."';
  if (parts.some((x) => x === '.' || x === '')) return 'it is not a normalized path';
  if (parts.some(isDotGit)) return 'it writes into .git (or a name that is .git on macOS or Windows)';
  return null;
}

/** ".git", or a name macOS (HFS+) or Windows (NTFS) treats as ".git". */
export function isDotGit(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === '.git') return true;
  if (lower.replace(HFS_IGNORED, '') === '.git') return true;
  // NTFS: an alternate data stream (".git::$INDEX_ALLOCATION"), trailing dots and spaces
  // (".git. ."), and the 8.3 short name "GIT~1" all reach the .git folder.
  const stream = lower.indexOf(':');
  const ntfs = (stream === -1 ? lower : lower.slice(0, stream)).replace(/[. ]+$/, '');
  return ntfs === '.git' || ntfs === 'git~1';
}
