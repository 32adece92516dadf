import tseslint from 'typescript-eslint';
import { ringsidePlugin } from './eslint/layers.js';
import { LAYERS } from './eslint/layerTable.js';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The architecture's boundaries: what each folder of src/ and tools/ may import (docs/architecture.md).
    files: ['src/**/*.{ts,tsx}', 'tools/**/*.{ts,tsx}'],
    plugins: { ringside: ringsidePlugin },
    rules: { 'ringside/layers': ['error', { root: import.meta.dirname, layers: LAYERS }] },
  },
);
