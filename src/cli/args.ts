import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean, SETTING_BY_FLAG, SETTING_BY_OLD_FLAG } from '../app/config/settings';

/** A mistake on the command line: exit code 2 with one line. */
export class UsageError extends Error {}

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies CommandOptions;

/**
 * Parses a command's own flags. Configuration flags (`--webhook-port 8000`) are left to loadConfig,
 * which knows them; their values show up here as positionals right after them. Any other option is
 * a mistake, named with the closest option (`--webhok-port`: did you mean --webhook-port?).
 * Up to `maxPositionals` other positionals are the command's arguments; any more is a mistake.
 */
export function parseCommandArgs(command: string, args: string[], options: CommandOptions, maxPositionals = 0): { values: Record<string, unknown>; positionals: string[] } {
  const { values, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name in options || SETTING_BY_FLAG.has(token.name) || SETTING_BY_OLD_FLAG.has(token.name)) continue;
    const known = [...Object.keys(options).map((name) => `--${name}`), ...[...SETTING_BY_FLAG.keys()].map((name) => `--${name}`)];
    throw new UsageError(`${command}: unknown option ${token.rawName}${token.rawName.startsWith('--') ? didYouMean(token.rawName, known) : ''} (ringside ${command} --help lists them)`);
  }
  tokens.forEach((token, i) => {
    if (token.kind !== 'positional') return;
    const previous = tokens[i - 1];
    const isConfigFlagValue = previous?.kind === 'option' && previous.inlineValue === undefined && !(previous.name in options);
    if (isConfigFlagValue) return;
    if (positionals.length >= maxPositionals) throw new UsageError(`${command}: unexpected argument '${token.value}'`);
    positionals.push(token.value);
  });
  for (const [name, option] of Object.entries(options)) {
    if (option.type === 'boolean' && values[name] !== undefined && typeof values[name] !== 'boolean') {
      throw new UsageError(`${command}: --${name} takes no value`);
    }
  }
  return { values, positionals };
}
