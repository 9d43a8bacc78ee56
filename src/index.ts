// The library API: what the CLI, the hooks, the demo and other tools call.
export { patch, type PatchOptions, type PatchResult } from './commands/patch.js';
export { unpatch, type UnpatchOptions, type UnpatchResult, type MaterializedTree } from './commands/unpatch.js';
export { check, type CheckOptions, type CheckResult } from './commands/check.js';
export { status, type StatusResult } from './commands/status.js';
export type { PatchReport, PatchState, Violation } from './inspect.js';
export { loadConfig, validateConfig, type Config } from './config.js';
export { parseHetero, addCombination, type Hetero, type Combination } from './hetero.js';
export { parsePatch, type PatchMessage, type FilePatch } from './patch/parse.js';
export { FlagpatchError, UsageError, ConfigError, RefusedError, PatchRefusedError, GitError } from './errors.js';
export { init, type InitOptions, type InitResult } from './commands/init.js';
export { refresh, type RefreshResult } from './commands/refresh.js';
export { preCommit } from './hooks/pre-commit.js';
export { prePush, parsePushInput, type PushCheck, type PushedRef } from './hooks/pre-push.js';
export { refreshAmend, type AmendResult } from './history/amend.js';
export { postMerge, postCommit, postRewrite, type RewriteResult } from './hooks/history.js';
export { installHooks, type InstallResult } from './hooks/install.js';
