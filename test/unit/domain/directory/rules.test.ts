import { describe, expect, it } from 'vitest';
import { extensionHolderOf, extensionIsHelplineError, extensionIsHelplineNumber, helplineIsExtensionError } from '../../../../src/domain/directory/rules';

describe('extension vs helpline number', () => {
  it('compares the two as numbers, whatever their spelling; a blank extension is never a helpline', () => {
    expect(extensionIsHelplineNumber('5000', '5000')).toBe(true);
    expect(extensionIsHelplineNumber(' 50-00 ', '5000')).toBe(true);
    expect(extensionIsHelplineNumber('0044 20 7946 0000', '+442079460000')).toBe(true);
    expect(extensionIsHelplineNumber('201', '2010')).toBe(false);
    expect(extensionIsHelplineNumber(' ', '')).toBe(false);
  });

  it('finds the first agent, in the order given, whose extension is the number', () => {
    const agents = [{ id: 'alice', extension: null }, { id: 'bob', extension: '2-01' }, { id: 'carol', extension: '201' }];
    expect(extensionHolderOf('201', agents)).toBe('bob');
    expect(extensionHolderOf('202', agents)).toBeNull();
  });

  it('refuses with one code, and the messages the API has always given', () => {
    expect(extensionIsHelplineError('5000')).toMatchObject({
      name: 'DirectoryError', code: 'extension_is_helpline', message: 'extension 5000 is a helpline number; calls to it would never reach the agent directly',
    });
    expect(helplineIsExtensionError('201', 'alice')).toMatchObject({
      name: 'DirectoryError', code: 'extension_is_helpline', message: '201 is the extension of agent alice; a helpline needs a number of its own',
    });
  });
});
