// The tests' fixtures: real git repositories in temporary folders. They live in
// scripts/lib/repos.ts, shared with npm run reliability (scripts never import from test/).
export * from '../scripts/lib/repos.js';

/** Output lines that start a GitHub Actions workflow command or hold a raw control character. */
export function forgeries(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  return output.split('\n').filter((l) => l.trimStart().startsWith('::') || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(l));
}
