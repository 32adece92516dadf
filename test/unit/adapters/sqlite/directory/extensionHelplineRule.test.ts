import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../../../src/adapters/sqlite/database';
import { SqliteDirectory } from '../../../../../src/adapters/sqlite/directory/SqliteDirectory';
import { makeTempDir, openTempDatabase } from '../../../../support/tmp';
import { raceWorkers } from '../../../../support/workers';

// The rule of src/domain/directory/rules.ts as SqliteDirectory enforces it: an agent's extension
// is never a helpline number of the same account, whichever is written second.

let tmp: ReturnType<typeof openTempDatabase>;
let db: SqliteDatabase;
let dir: SqliteDirectory;

beforeEach(() => {
  tmp = openTempDatabase();
  db = tmp.db;
  dir = new SqliteDirectory(db);
});
afterEach(() => tmp.cleanup());

const refused = (message: string) => expect.objectContaining({ name: 'DirectoryError', code: 'extension_is_helpline', message });

/** Every row of the directory's tables: a refused write must leave all of them as they were. */
function everything(): Record<string, unknown[]> {
  const tables = ['dir_agents', 'dir_devices', 'dir_helplines', 'dir_helpline_members'];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()]));
}

describe('extension vs helpline number', () => {
  beforeEach(async () => {
    await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201', devices: ['000B82000001'], helplines: ['5000'] });
    await dir.upsertHelpline('acme', { number: '6000', name: 'Sales', agents: ['alice'] });
  });

  it("refuses an agent's extension that is a helpline number, new agent or existing, and changes nothing", async () => {
    const before = everything();
    await expect(dir.upsertAgent('acme', { id: 'zed', name: 'Zed', extension: '5000' })).rejects.toEqual(
      refused('extension 5000 is a helpline number; calls to it would never reach the agent directly'),
    );
    // An existing agent: neither the extension nor anything else the same write carried is kept.
    await expect(dir.upsertAgent('acme', { id: 'alice', name: 'Renamed', extension: '6000', devices: ['000B82000002'], helplines: [], supervisor: true })).rejects.toEqual(
      refused('extension 6000 is a helpline number; calls to it would never reach the agent directly'),
    );
    // Compared as numbers: how the extension is written does not matter.
    await expect(dir.upsertAgent('acme', { id: 'zed', name: 'Zed', extension: ' 60-00 ' })).rejects.toEqual(
      refused('extension 60-00 is a helpline number; calls to it would never reach the agent directly'),
    );
    expect(everything()).toEqual(before);
    expect(await dir.getAgent('acme', 'zed')).toBeNull();
  });

  it("refuses a helpline whose number is an agent's extension, new helpline or existing, and changes nothing", async () => {
    await dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '2-02' });
    const before = everything();
    await expect(dir.upsertHelpline('acme', { number: '201', name: 'Support' })).rejects.toEqual(
      refused('201 is the extension of agent alice; a helpline needs a number of its own'),
    );
    await expect(dir.upsertHelpline('acme', { number: ' 202 ', name: 'Support', agents: ['alice'] })).rejects.toEqual(
      refused('202 is the extension of agent bob; a helpline needs a number of its own'),
    );
    // An agent put on a number that is not a helpline yet would make it one: refused the same way.
    await expect(dir.upsertAgent('acme', { id: 'bob', name: 'Bob', helplines: ['5000', '201'] })).rejects.toEqual(
      refused('201 is the extension of agent alice; a helpline needs a number of its own'),
    );
    await expect(dir.upsertAgent('acme', { id: 'carol', name: 'Carol', extension: '203', helplines: ['203'] })).rejects.toEqual(
      refused('203 is the extension of agent carol; a helpline needs a number of its own'),
    );
    expect(everything()).toEqual(before);
    expect(await dir.helplineByNumber('acme', '201')).toBeNull();
  });

  it('comes before the other refusals of the same write, as the API checked it first', async () => {
    // A number that is both (a database written before the rule was enforced here).
    db.prepare("INSERT INTO dir_helplines (account, number, name, all_agents) VALUES ('acme', '201', 'Legacy', 1)").run();
    await expect(dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '201' })).rejects.toMatchObject({ code: 'extension_is_helpline' });
    await expect(dir.upsertHelpline('acme', { number: '201', name: 'X', agents: ['ghost'] })).rejects.toMatchObject({ code: 'extension_is_helpline' });
  });

  it('lets everything else through: other numbers, helplines the agent joins, its own unchanged extension, other accounts', async () => {
    expect(await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: '201', helplines: ['5000', '6000'] })).toMatchObject({ extension: '201', helplines: ['5000', '6000'] });
    expect(await dir.upsertHelpline('acme', { number: '5000', name: 'Support' })).toMatchObject({ number: '5000', name: 'Support' });
    expect(await dir.upsertAgent('acme', { id: 'bob', name: 'Bob', extension: '202', helplines: ['7000'] })).toMatchObject({ helplines: ['7000'] });
    expect(await dir.upsertAgent('other', { id: 'zed', name: 'Zed', extension: '5000' })).toMatchObject({ extension: '5000' });
    expect(await dir.upsertHelpline('other', { number: '201', name: 'Support' })).toMatchObject({ number: '201' });
    // Once the agent is gone (or its extension changed), the number is free for a helpline.
    await dir.upsertAgent('acme', { id: 'alice', name: 'Alice', extension: null });
    expect(await dir.upsertHelpline('acme', { number: '201', name: 'Former extension' })).toMatchObject({ number: '201' });
  });
});

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
