import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { makeTempDir } from '../../../../support/tmp';
import { raceWorkers } from '../../../../support/workers';

// The rule of src/domain/directory/rules.ts across processes on one SQLite file: two worker
// threads, each with its own connection, race to write colliding numbers. The rule itself, and
// the race between two connections of one process, are in the directory contract
// (test/contracts/directory/ruleCases.ts), run against SQLite and PostgreSQL.

describe('two connections on one database file', () => {
  it('racing an extension and a helpline number that collide: exactly one wins, every time', async () => {
    const temp = makeTempDir();
    const file = join(temp.dir, 'ringside.db');
    const setup = openDatabase(file);
    new SqliteDirectory(setup); // the schema, before the racers open the file
    const numbers = Array.from({ length: 60 }, (_, i) => String(7000 + i));
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    try {
      // The two workers meet at their own barrier before each write: nothing to release.
      const [agentSide, helplineSide] = await raceWorkers<{ side: string; outcomes: string[] }>(
        new URL('./rule-race-worker.mjs', import.meta.url),
        (['agent', 'helpline'] as const).map((side) => ({ file, side, numbers, barrier })),
        'extension/helpline race',
      );

      const winners = { agent: 0, helpline: 0 };
      numbers.forEach((number, i) => {
        const pair = [agentSide!.outcomes[i], helplineSide!.outcomes[i]].sort();
        expect({ number, pair }).toEqual({ number, pair: ['extension_is_helpline', 'won'] });
        winners[agentSide!.outcomes[i] === 'won' ? 'agent' : 'helpline'] += 1;
      });
      // The file agrees: each number is an extension or a helpline, never both, never neither.
      const verify = new SqliteDirectory(setup);
      for (const number of numbers) {
        const asExtension = (await verify.agentByExtension('acme', number)) !== null;
        const asHelpline = (await verify.helplineByNumber('acme', number)) !== null;
        expect({ number, asExtension, asHelpline }).toEqual({ number, asExtension: !asHelpline, asHelpline: !asExtension });
      }
      expect(winners.agent + winners.helpline).toBe(numbers.length);
    } finally {
      setup.close();
      temp.cleanup();
    }
  });
});
