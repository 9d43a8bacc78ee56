// The library API: what the CLI, the hooks, the demo and other tools call.
export { patch, type PatchOptions, type PatchResult } from './commands/patch.js';
export { unpatch, type UnpatchOptions, type UnpatchResult, type MaterializedTree } from './commands/unpatch.js';
export { check, type CheckOptions, type CheckResult } from './commands/check.js';
export { status, type StatusResult } from './commands/status.js';
export type { PatchReport, PatchState, Violation } from './inspect.js';
export { loadConfig, validateConfig, type Config } from './config.js';
export { parseHetero, addCombination, type Hetero, type Combination } from './hetero.js';
export { parsePatch, type PatchMessage, type FilePatch } from './patch/parse.js';
export { FlagpatchError, UsageError, ConfigError, RefusedError, PatchRefusedError, AbortedError, GitError } from './errors.js';
export { init, type InitOptions, type InitResult } from './commands/init.js';
export { refresh, type RefreshResult } from './commands/refresh.js';
export { preCommit } from './hooks/pre-commit.js';
export { prePush, parsePushInput, type PushCheck, type PushedRef } from './hooks/pre-push.js';
export { rebase, type RebaseOptions, type RebasedPatch } from './commands/rebase.js';
export type { RebasedFork } from './commands/rebase-fork.js';
export { impact, type ImpactOptions, type ImpactResult, type PatchImpact, type CombinationImpact } from './commands/impact.js';
export type { CarryState, ConflictedFile, LineRange } from './patch/carry.js';
