// The Node version check of the binary, apart so it is tested (and so cli.ts checks before it
// imports anything that newer syntax or APIs could break).

/** The message when `current` (e.g. "18.19.0") is older than `engines` (">=20.17"), else null. */
export function nodeTooOld(current: string, engines: string): string | null {
  const need = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(engines.trim());
  if (!need) return null; // a range we do not read: let Node run it
  const have = current.replace(/^v/, '').split('.').map(Number);
  const want = need.slice(1).map((n) => Number(n ?? 0));
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > want[i]) return null;
    if ((have[i] ?? 0) < want[i]) return `flagpatch: error: Node ${current} is too old; flagpatch needs Node ${engines.trim()} (check with node --version)`;
  }
  return null;
}
