# Sourced by the hooks in this folder once they set $hook to their name. git runs them from
# this tracked folder (core.hooksPath = hooks, set by `npm install` and `flagpatch init`), so
# they run in every work tree and after `git clean -fdx`; a hook that cannot find flagpatch
# stops and says what to run rather than let a stale patch through. FLAGPATCH_SKIP=1 or
# HUSKY=0 skips them.
[ "${FLAGPATCH_SKIP-}" = 1 ] || [ "${HUSKY-}" = 0 ] && exit 0
# This work tree's install, else the main work tree's (a `git worktree add` tree has none).
if [ -x node_modules/.bin/flagpatch ]; then
  PATH="$PWD/node_modules/.bin:$PATH"
else
  common=$(git rev-parse --git-common-dir 2>/dev/null)
  case $common in /*) ;; *) common="$PWD/$common" ;; esac
  PATH="$PWD/node_modules/.bin:$common/../node_modules/.bin:$PATH"
fi
export PATH
if ! command -v flagpatch >/dev/null 2>&1; then
  echo "flagpatch: $hook hook: flagpatch is not installed in this work tree; run npm install (FLAGPATCH_SKIP=1 skips the hook)" >&2
  exit 1
fi
# pre-merge-commit only makes sure of that: post-merge does the refresh.
[ "$hook" = pre-merge-commit ] && exit 0
exec flagpatch hook "$hook" "$@"
