import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The architecture's boundaries (eslint/layerTable.js, docs/architecture.md), checked against the
// real ESLint configuration: each case is a file that would sit at `path` importing `source`.
const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });

async function layerErrors(path: string, source: string): Promise<string[]> {
  const code = `import * as imported from '${source}';\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: path });
  return result!.messages.filter((m) => m.ruleId === 'ringside/layers').map((m) => m.message);
}

describe('lint: what each layer may import', () => {
  it.each([
    ['the domain imports no adapter', 'src/domain/calls/x.ts', '../../adapters/redis/keys', /src\/domain must not import src\/adapters\/redis/],
    ['the domain imports no composition root', 'src/domain/calls/x.ts', '../../app/server', /must not import src\/app/],
    ['the domain imports no Node I/O module', 'src/domain/calls/x.ts', 'node:fs', /must not import node:fs/],
    ['… however it is spelt', 'src/domain/calls/x.ts', 'net', /must not import node:net/],
    ['the domain imports no service client', 'src/domain/presence/x.ts', 'ioredis', /must not import ioredis/],
    ['the domain imports no Electron', 'src/domain/x.ts', 'electron', /must not import electron/],
    ['an adapter does not import another adapter', 'src/adapters/redis/x.ts', '../sqlite/database', /src\/adapters\/redis must not import src\/adapters\/sqlite/],
    ['… nor from a subfolder', 'src/adapters/sqlite/calllog/x.ts', '../../rabbitmq/topology', /must not import src\/adapters\/rabbitmq/],
    ['an adapter does not import the composition root', 'src/adapters/webhook/x.ts', '../../app/adapters', /must not import src\/app/],
    ['the renderer imports only the protocol', 'src/desktop/renderer/x.ts', '../../domain/presence/PresenceService', /src\/desktop\/renderer must not import src\/domain/],
    ['… not the server', 'src/desktop/renderer/state/x.ts', '../../../api/routes', /must not import src\/api/],
    ['… not the preload', 'src/desktop/renderer/x.ts', '../preload/api', /must not import src\/desktop\/preload/],
    ['… and no Node module', 'src/desktop/renderer/x.ts', 'node:path', /must not import node:path/],
    ['the preload imports only the protocol', 'src/desktop/preload/x.ts', '../main/security', /src\/desktop\/preload must not import src\/desktop\/main/],
    ['the protocol imports only zod', 'src/protocol/x.ts', '../shared/logger', /src\/protocol must not import src\/shared/],
    ['the shell does not reach into adapters', 'src/desktop/main/x.ts', '../../adapters/sqlite/database', /must not import src\/adapters\/sqlite/],
    ['nothing but the shell imports electron', 'src/app/x.ts', 'electron', /must not import electron/],
  ])('%s', async (_case, path, source, expected) => {
    const errors = await layerErrors(path, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
  });

  it.each([
    ['the domain imports the protocol and shared helpers', 'src/domain/calls/x.ts', '../../protocol/messages'],
    ['the domain imports pure packages', 'src/domain/directory/x.ts', 'libphonenumber-js'],
    ['an adapter imports the domain', 'src/adapters/redis/callstate/x.ts', '../../../domain/callstate/CallStateStore'],
    ['an adapter imports its own files', 'src/adapters/sqlite/calllog/x.ts', '../database'],
    ['the renderer imports the protocol and React', 'src/desktop/renderer/x.ts', '../../protocol/messages'],
    ['… React', 'src/desktop/renderer/x.tsx', 'react'],
    ['the preload imports electron', 'src/desktop/preload/x.ts', 'electron'],
    ['the shell starts the core', 'src/desktop/main/x.ts', '../../app/server'],
    ['the composition root imports adapters', 'src/app/x.ts', '../adapters/redis/keys'],
  ])('allows: %s', async (_case, path, source) => {
    expect(await layerErrors(path, source)).toEqual([]);
  });

  it('sees require() and import() too', async () => {
    const [required] = await eslint.lintText("export const fs = require('node:fs');\n", { filePath: 'src/domain/x.ts' });
    expect(required!.messages.map((m) => m.message)).toContainEqual(expect.stringMatching(/must not import node:fs/));
    const [dynamic] = await eslint.lintText("export const keys = () => import('../adapters/redis/keys');\n", { filePath: 'src/domain/x.ts' });
    expect(dynamic!.messages.map((m) => m.message)).toContainEqual(expect.stringMatching(/must not import src\/adapters\/redis/));
  });
});
