// The tests' fixtures: real git repositories in temporary folders. They live in
// scripts/lib/repos.ts, shared with npm run reliability (scripts never import from test/).
export * from '../scripts/lib/repos.js';
