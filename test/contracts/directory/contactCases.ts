// Directory contract cases (test/contracts/directoryContract.ts): contacts, one per number however
// written (numbers.ts), search, and the CSV import streamed with its limits.
import { describe, expect, it } from 'vitest';
import { directoryError, freshStorePerCase, type DirectoryStore, type DirectoryUnderTest, type OpenDirectoryStore } from './support';

/** The text as UTF-8 bytes cut into pieces of `size` bytes: characters and CRLFs get split across chunks. */
async function* bytesIn(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export function describeContactCases(name: string, open: OpenDirectoryStore): void {
  describe(`Directory contract: ${name}: contacts`, () => {
    let store: DirectoryStore;
    let dir: DirectoryUnderTest;
    freshStorePerCase(open, (fresh, opened) => {
      store = fresh;
      dir = opened;
    });

    /** Every contact of the account, by number (a search for nothing lists them all). */
    async function allContacts(): Promise<Array<{ number: string; name: string }>> {
      const contacts = await dir.searchContacts('acme', '', 200);
      return contacts.map((c) => ({ number: c.number, name: c.name })).sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
    }

    describe('contacts', () => {
      it('matches a number written +92..., 0300... or 0092 ... to one contact', async () => {
        await dir.upsertContact('acme', { number: '+92 300 1234567', name: 'Zara', company: 'Acme Traders', notes: null, crmUrl: 'https://crm.example/z' });
        for (const form of ['+923001234567', '03001234567', '0092 300 1234567']) {
          expect(await dir.contactByNumber('acme', form)).toEqual({ number: '+923001234567', name: 'Zara', company: 'Acme Traders', notes: null, crmUrl: 'https://crm.example/z' });
        }
        expect(await dir.contactByNumber('acme', '+923001234568')).toBeNull();
        expect(await dir.contactByNumber('acme', '')).toBeNull();
        await dir.upsertContact('acme', { number: '600', name: 'Front desk', company: null, notes: null, crmUrl: null });
        expect((await dir.contactByNumber('acme', '600'))!.name).toBe('Front desk');
        expect(await dir.contactByNumber('acme', '1600')).toBeNull();
      });

      it('validates contacts: digits, a name, an http(s) CRM link', async () => {
        await expect(dir.upsertContact('acme', { number: 'abc', name: 'X', company: null, notes: null, crmUrl: null })).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.upsertContact('acme', { number: '123', name: ' ', company: null, notes: null, crmUrl: null })).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.upsertContact('acme', { number: '123', name: 'X', company: null, notes: null, crmUrl: 'javascript:alert(1)' })).rejects.toEqual(directoryError('invalid_input'));
        expect(await dir.upsertContact('acme', { number: '123', name: ' X ', company: '', notes: ' ', crmUrl: null })).toEqual({ number: '123', name: 'X', company: null, notes: null, crmUrl: null });
      });

      it('searches name, company or number (substring, case-insensitive), with a limit', async () => {
        await dir.upsertContact('acme', { number: '+923001234567', name: 'Zara Khan', company: 'Acme Traders', notes: null, crmUrl: null });
        await dir.upsertContact('acme', { number: '+441234567890', name: 'Oliver', company: 'Blue Ltd', notes: null, crmUrl: null });
        await dir.upsertContact('acme', { number: '+15550001111', name: 'Olivia', company: null, notes: null, crmUrl: null });
        expect((await dir.searchContacts('acme', 'oliv')).map((c) => c.name)).toEqual(['Oliver', 'Olivia']);
        expect((await dir.searchContacts('acme', 'TRADERS')).map((c) => c.name)).toEqual(['Zara Khan']);
        expect((await dir.searchContacts('acme', '300-123')).map((c) => c.name)).toEqual(['Zara Khan']);
        expect((await dir.searchContacts('acme', 'o', 1)).map((c) => c.name)).toEqual(['Oliver']);
        expect(await dir.searchContacts('acme', '100%')).toEqual([]);
      });
    });

    describe('contact CSV import', () => {
      it('imports valid rows in any column order and reports bad rows with their line numbers', async () => {
        const csv = [
          'name,number,crm_url,notes,company,extra',
          'Zara,+92 300 1234567,https://crm.example/1,"likes calls, mornings",Acme,x',
          ',03001111111,,,,',
          'No digits,n/a,,,,',
          '"Multi',
          'line name",+441234567890,,"said ""hi""",,',
          'Bad link,+15550001111,ftp://x,,,',
          'Too many,+15550002222,,,,,,',
          'Ok,+15550003333,"broken"quote,,,',
          '',
          'Last,+15550004444',
        ].join('\r\n');
        const result = await dir.importContactsCsv('acme', csv);
        expect(result.imported).toBe(3);
        expect(result.rejected.map((r) => r.line)).toEqual([3, 4, 7, 8, 9]);
        expect(result.rejected[0]!.reason).toMatch(/name/);
        expect(result.rejected[1]!.reason).toMatch(/digits/);
        expect(result.rejected[2]!.reason).toMatch(/crm_url/);
        expect(result.rejected[3]!.reason).toMatch(/fields/);
        expect(result.rejected[4]!.reason).toMatch(/quote/);
        expect(await dir.contactByNumber('acme', '+923001234567')).toEqual({ number: '+923001234567', name: 'Zara', company: 'Acme', notes: 'likes calls, mornings', crmUrl: 'https://crm.example/1' });
        expect(await dir.contactByNumber('acme', '+441234567890')).toMatchObject({ name: 'Multi\nline name', notes: 'said "hi"' });
        expect(await dir.contactByNumber('acme', '+15550004444')).toMatchObject({ name: 'Last', company: null });
      });

      it('upserts by number: importing again updates instead of duplicating', async () => {
        await dir.importContactsCsv('acme', 'number,name\n+923001234567,Zara\n');
        const again = await dir.importContactsCsv('acme', 'number,name,company\n0092 300 1234567,Zara K,Acme\n');
        expect(again).toEqual({ imported: 1, rejected: [] });
        expect(await dir.searchContacts('acme', '')).toEqual([{ number: '+923001234567', name: 'Zara K', company: 'Acme', notes: null, crmUrl: null }]);
      });

      it('throws bad_csv for an empty file or a header without number or name', async () => {
        await expect(dir.importContactsCsv('acme', '')).rejects.toEqual(directoryError('bad_csv'));
        await expect(dir.importContactsCsv('acme', 'phone,name\n123,X\n')).rejects.toEqual(directoryError('bad_csv'));
        await expect(dir.importContactsCsv('acme', 'number,company\n123,X\n')).rejects.toEqual(directoryError('bad_csv'));
        await expect(dir.importContactsCsv('acme', '"number,name\n')).rejects.toEqual(directoryError('bad_csv'));
        expect(await dir.searchContacts('acme', '')).toEqual([]);
      });
    });

    describe('contact CSV import, streamed', () => {
      const csv = [
        'number,name,company,notes,crm_url',
        '03001234567,Zara Khan,Acme,"likes calls, mornings",https://crm.example/zara',
        '"0092 300 7654321",Ali,,"unterminated, and it swallows',
        'the next lines',
        'as RFC 4180 says"',
        ',No Number,,,',
        'n/a,Bad Number,,,',
        '+999 123 456 789,No Such Country,,,',
        '+44 20 7946 0958,Too Many,Blue Ltd,,,extra',
        '"+1 (201) 555-0123",Émile Dupré,"Café ""Noir""",,',
        '8100,Helpline,,,',
        '0092 333 1112223,Quote "Inside" Name,,,',
        '"+92 321 0000000',
      ].join('\r\n');

      it('reports malformed rows with their line numbers and imports the rest, whatever the chunking', async () => {
        for (const size of [1, 2, 3, 7, 64, 1 << 16]) {
          const dir = await store.open({ defaultCountry: 'PK' });
          for (const contact of await allContacts()) await dir.removeContact('acme', contact.number);
          const result = await dir.importContactsCsv('acme', bytesIn(csv, size));
          expect(result.rejected).toEqual([
            { line: 6, reason: 'number is required' },
            { line: 7, reason: expect.stringMatching(/number must be digits/) },
            { line: 8, reason: 'number is not a possible international number' },
            { line: 9, reason: 'expected at most 5 fields, got 6' },
            { line: 13, reason: 'unterminated quoted field' },
          ]);
          // Line 3 opens a quote that closes on line 5: one record (a valid one) over three lines.
          expect(result.imported).toBe(5);
          expect(await allContacts()).toEqual([
            { number: '+12015550123', name: 'Émile Dupré' },
            { number: '+923001234567', name: 'Zara Khan' },
            { number: '+923007654321', name: 'Ali' },
            { number: '+923331112223', name: 'Quote "Inside" Name' },
            { number: '8100', name: 'Helpline' },
          ]);
        }
        const dir = await store.open({ defaultCountry: 'PK' });
        expect(await dir.contactByNumber('acme', '+923001234567')).toEqual({
          number: '+923001234567', name: 'Zara Khan', company: 'Acme', notes: 'likes calls, mornings', crmUrl: 'https://crm.example/zara',
        });
        expect(await dir.contactByNumber('acme', '+1 201 555 0123')).toMatchObject({ company: 'Café "Noir"' });
      });

      it('one number in any spelling is one contact: importing again updates it', async () => {
        const dir = await store.open({ defaultCountry: 'PK' });
        await dir.importContactsCsv('acme', 'number,name\n03001234567,Zara\n');
        const again = await dir.importContactsCsv('acme', bytesIn('number,name,company\n0092 300 1234567,Zara K,Acme\n+92-300-1234567,Zara Khan,Acme\n', 5));
        expect(again).toEqual({ imported: 2, rejected: [] });
        expect(await dir.searchContacts('acme', '')).toEqual([{ number: '+923001234567', name: 'Zara Khan', company: 'Acme', notes: null, crmUrl: null }]);
      });

      it('writes in batches, all rows in the end', async () => {
        const dir = await store.open({ importLimits: { batchSize: 2 } });
        const rows = Array.from({ length: 7 }, (_, i) => `+9230012345${String(i).padStart(2, '0')},Caller ${i}`);
        const result = await dir.importContactsCsv('acme', bytesIn(['number,name', ...rows].join('\n'), 10));
        expect(result).toEqual({ imported: 7, rejected: [] });
        expect(await allContacts()).toHaveLength(7);
      });

      it('a file over the row limit, without a usable header, or whose stream fails writes nothing', async () => {
        const dir = await store.open({ importLimits: { maxRows: 3, batchSize: 1 } });
        const four = 'number,name\n+923001234561,A\n+923001234562,B\n+923001234563,C\n+923001234564,D\n';
        await expect(dir.importContactsCsv('acme', bytesIn(four, 4))).rejects.toEqual(directoryError('too_many_rows'));
        await expect(dir.importContactsCsv('acme', bytesIn('phone,name\n+923001234561,A\n', 4))).rejects.toEqual(directoryError('bad_csv'));
        await expect(dir.importContactsCsv('acme', bytesIn('"number,name\n+923001234561,A\n', 4))).rejects.toEqual(directoryError('bad_csv'));
        await expect(dir.importContactsCsv('acme', bytesIn('', 4))).rejects.toEqual(directoryError('bad_csv'));
        async function* breaksOff(): AsyncGenerator<string> {
          yield 'number,name\n+923001234561,A\n';
          throw new Error('client went away');
        }
        await expect(dir.importContactsCsv('acme', breaksOff())).rejects.toThrow('client went away');
        expect(await allContacts()).toEqual([]);
        // Three rows are within the limit.
        expect(await dir.importContactsCsv('acme', four.split('\n').slice(0, 4).join('\n'))).toEqual({ imported: 3, rejected: [] });
      });
    });

    describe('contacts found by number', () => {
      it('finds a contact in every spelling with a default country; E.164 numbers never match by their last digits alone', async () => {
        const dir = await store.open({ defaultCountry: 'PK' });
        await dir.upsertContact('acme', { number: '0300-1234567', name: 'Zara', company: null, notes: null, crmUrl: null });
        for (const spelling of ['+923001234567', '03001234567', '0092 300 1234567', '(0300) 123 4567']) {
          expect((await dir.contactByNumber('acme', spelling))?.name).toBe('Zara');
        }
        expect(await dir.contactByNumber('acme', '+44 300 123 4567')).toBeNull();
        expect(await dir.contactByNumber('other', '03001234567')).toBeNull();
        expect((await dir.searchContacts('acme', '0300 1234567')).map((c) => c.name)).toEqual(['Zara']);
        expect(await dir.removeContact('acme', '0092 300 1234567')).toBe(true);
      });

      it('without a default country, national and E.164 spellings still find each other by their last digits', async () => {
        const dir = await store.open();
        await dir.upsertContact('acme', { number: '03001234567', name: 'Zara', company: null, notes: null, crmUrl: null });
        await dir.upsertContact('acme', { number: '+441234567890', name: 'Oliver', company: null, notes: null, crmUrl: null });
        expect((await dir.contactByNumber('acme', '+923001234567'))?.name).toBe('Zara');
        expect((await dir.contactByNumber('acme', '01234567890'))?.name).toBe('Oliver');
        expect(await dir.contactByNumber('acme', '+921234567890')).toBeNull();
      });

      it('re-keys contacts stored under a national number once a default country is configured', async () => {
        const before = await store.open();
        await before.upsertContact('acme', { number: '03001234567', name: 'Zara (national)', company: null, notes: null, crmUrl: null });
        await before.upsertContact('acme', { number: '03331112223', name: 'Ali (national)', company: null, notes: null, crmUrl: null });
        await before.upsertContact('acme', { number: '+923331112223', name: 'Ali', company: null, notes: null, crmUrl: null });
        await before.upsertContact('acme', { number: '201', name: 'Reception', company: null, notes: null, crmUrl: null });
        expect((await allContacts()).map((c) => c.number)).toEqual(['+923331112223', '03001234567', '03331112223', '201']);

        const after = await store.open({ defaultCountry: 'PK' });
        expect(await allContacts()).toEqual([
          { number: '+923001234567', name: 'Zara (national)' },
          // the E.164 row was there first and stays; its national duplicate is dropped
          { number: '+923331112223', name: 'Ali' },
          { number: '201', name: 'Reception' },
        ]);
        expect((await after.contactByNumber('acme', '03001234567'))?.name).toBe('Zara (national)');
        // Opening again changes nothing.
        await store.open({ defaultCountry: 'PK' });
        expect(await allContacts()).toHaveLength(3);
      });

      it('rejects a number that is not one', async () => {
        const dir = await store.open({ defaultCountry: 'PK' });
        const contact = (number: string) => ({ number, name: 'X', company: null, notes: null, crmUrl: null });
        await expect(dir.upsertContact('acme', contact('call me'))).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.upsertContact('acme', contact('+1'))).rejects.toEqual(directoryError('invalid_input'));
        await expect(dir.upsertContact('acme', contact('1234567890123456789'))).rejects.toEqual(directoryError('invalid_input'));
        expect(await dir.upsertContact('acme', contact('*97'))).toMatchObject({ number: '*97' });
      });
    });
  });
}
