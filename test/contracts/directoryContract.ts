// The Directory port (src/domain/directory/Directory.ts) and the DispositionStore, run against every
// adapter (test/contracts/directory/directory.test.ts): agents, phones, helplines, contacts and
// their CSV import, the extension/helpline rule (rules.ts) also when two connections race, phone
// web passwords sealed at rest, tenants apart. SQLite-only behaviour (several processes on one
// file, migrations of old files, VACUUM of clear passwords) stays in test/unit/adapters/sqlite/directory/.
import { describeAgentCases } from './directory/agentCases';
import { describeContactCases } from './directory/contactCases';
import { describeRuleCases } from './directory/ruleCases';

import type { OpenDirectoryStore } from './directory/support';

export type { DirectoryOptions, DirectoryStore, DirectoryUnderTest, OpenDirectoryStore } from './directory/support';

export function describeDirectoryContract(name: string, open: OpenDirectoryStore): void {
  describeAgentCases(name, open);
  describeContactCases(name, open);
  describeRuleCases(name, open);
}
