// Worker-thread entry: loads the TypeScript worker through tsx (workers do not inherit Vitest's transform).
import { tsImport } from 'tsx/esm/api';

await tsImport('./rule-race-worker.ts', import.meta.url);
