#!/usr/bin/env node
// The `ringside` command (package.json "bin"). See `ringside help`.
import { loadCli } from './load-cli.js';

try {
  const cli = await loadCli();
  await cli.runCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`ringside: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
