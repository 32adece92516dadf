import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core runs in a plain Node process (headless server) as well as under Electron:
    // it must never depend on the Electron runtime.
    files: ['src/core/**/*.ts', 'src/core/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'src/core must not import electron: keep it runnable headless.' }],
        patterns: [{ group: ['electron/*', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'src/core must not depend on the Electron shell or the UI.' }],
      }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.name='require'][arguments.0.value='electron']",
        message: 'src/core must not import electron.',
      }],
    },
  },
);
