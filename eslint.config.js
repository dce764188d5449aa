// Lint (npm run lint): typescript-eslint's type-aware recommended rules over src and test. Rules are
// switched off only where they are noise for this code base; each exception says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'reports/**',
      'coverage/**',
      'test/bench/**',
      'bin/**',
      'src/**/assets/**',
      'test/fixtures/**/*.mjs',
      'scenarios/**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Stores, behaviours and fakes implement async interfaces without awaiting anything: `async`
      // there turns a synchronous throw into a rejected promise, which is the contract.
      '@typescript-eslint/require-await': 'off',
      // Re-rejecting a caught `unknown` is fine: what was thrown is passed on unchanged.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A `let` assigned once but read by a closure declared above the assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_name` marks a parameter or destructured field kept for its position or to drop it.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The Check<any> and Fault<any> registries: replaced by the typed generic registry (issue 11, item 2).
    files: ['src/checks/index.ts', 'src/faults/registry.ts', 'src/faults/types.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Tests read parsed JSON reports and poke at untyped fixtures on purpose; typing every
    // JSON.parse would add casts, not safety. Spies passed to expect() are unbound methods by design.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['eslint.config.js', 'vitest.config.ts', 'vitest.unit.config.ts'], ...tseslint.configs.disableTypeChecked },
);
