// Limits on untrusted input. Each is far above what a real FlagScale vendor meets (the largest
// vendor patch seen is a few MB; paths are under 200 bytes), and each refusal names its limit,
// so a hostile commit costs bounded time and memory.
export const LIMITS = {
  /** A patch file: larger ones are refused before they are read. */
  patchBytes: 64 * 1024 * 1024,
  /** All distinct patch files of one commit together (check and status read no more). */
  commitPatchBytes: 512 * 1024 * 1024,
  /** Lines of hetero.txt read (a real registry has a few dozen). */
  heteroLines: 10_000,
  /** hetero.txt. */
  heteroBytes: 4 * 1024 * 1024,
  /** A config file. */
  configBytes: 64 * 1024,
  /** A path in a patch, in bytes (Linux's PATH_MAX). */
  pathBytes: 4096,
  /** A commit message inside a patch. */
  messageBytes: 1024 * 1024,
  /** Folders in a path (FlagScale's deepest is under 15). */
  pathDepth: 128,
  /** The inflated size of one binary file in a patch. */
  binaryBytes: 64 * 1024 * 1024,
  /** Patch files in one commit (check, status). */
  patches: 1000,
  /** A mail header or a `diff --git` line. */
  headerLineBytes: 64 * 1024,
  /** Problems collected from one file (more are counted, not listed). */
  problems: 100,
  /** Violations printed by check and the pre-push hook (the rest are counted). */
  printedProblems: 50,
} as const;

export function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
