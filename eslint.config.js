// ESLint 9 flat config: the recommended rules of ESLint and typescript-eslint on the sources,
// tests and scripts; formatting is prettier's job (npm run lint runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // These count with comma expressions as statements (`(oldLeft--, newLeft--)`) on purpose.
    files: ['src/patch/parse.ts', 'src/inspect.ts', 'src/pathspec.ts', 'scripts/bench.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    // These match control characters on purpose: non-ASCII in the mailbox writer, names and
    // output that must be refused or escaped.
    files: ['src/patch/format.ts', 'src/patch/paths.ts', 'src/text.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
