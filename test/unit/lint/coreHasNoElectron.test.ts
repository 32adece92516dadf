import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The rule that keeps src/core runnable headless (SPEC section 2), checked against the real config. */
describe('lint: src/core never imports electron', () => {
  const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });
  const rulesHit = async (code: string, filePath: string) =>
    (await eslint.lintText(code, { filePath }))[0]!.messages.map((m) => m.ruleId);

  it('fails an import or a require of electron under src/core', async () => {
    expect(await rulesHit("import { app } from 'electron';\nexport const a = app;\n", 'src/core/x.ts')).toContain('no-restricted-imports');
    expect(await rulesHit("export const e = require('electron');\n", 'src/core/y.ts')).toContain('no-restricted-syntax');
  });

  it('allows it in the Electron shell', async () => {
    expect(await rulesHit("import { app } from 'electron';\nexport const a = app;\n", 'src/desktop/main/x.ts')).toEqual([]);
  });
});
