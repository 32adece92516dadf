import { DirectoryError } from './errors';
import { normaliseNumber } from './numbers';

/**
 * Directory rules that hold across entities. Pure: the adapters apply them inside the write that
 * would break them (SqliteDirectory: in the same IMMEDIATE transaction as the insert or update;
 * PostgresDirectory: under the account's advisory lock), so two requests, or two processes or
 * servers on one database, cannot both pass a check and then write.
 *
 * Extension vs helpline: within one account, no agent's extension is a helpline number. A call
 * to that number would go to the helpline's agents and never reach the agent directly, so the
 * write that would make the two equal is refused with DirectoryError 'extension_is_helpline'
 * (the API answers 409), whichever side is written second:
 * - an agent's extension that is a helpline number (upsertAgent `extension`);
 * - a helpline whose number is an agent's extension (upsertHelpline, and a new helpline that
 *   upsertAgent's `helplines` would create).
 * The two are compared as numbers (normaliseNumber): how either is written does not matter.
 */

/** The form an extension and a helpline number are compared in ('' for a blank one). */
export function lineNumberKey(number: string): string {
  return normaliseNumber(number);
}

/** Whether an agent's extension and a helpline number are the same line (the rule forbids it). */
export function extensionIsHelplineNumber(extension: string, helplineNumber: string): boolean {
  const key = lineNumberKey(extension);
  return key !== '' && key === lineNumberKey(helplineNumber);
}

/** The refusal of an agent's extension that is a helpline number. */
export function extensionIsHelplineError(extension: string): DirectoryError {
  return new DirectoryError('extension_is_helpline', `extension ${extension} is a helpline number; calls to it would never reach the agent directly`);
}

/** The refusal of a helpline whose number is the extension of agent `agent`. */
export function helplineIsExtensionError(number: string, agent: string): DirectoryError {
  return new DirectoryError('extension_is_helpline', `${number} is the extension of agent ${agent}; a helpline needs a number of its own`);
}

/** The agent (of `agents`, in their order) whose extension is this helpline number, if any. */
export function extensionHolderOf(
  helplineNumber: string,
  agents: Iterable<{ id: string; extension: string | null }>,
): string | null {
  for (const agent of agents) {
    if (agent.extension !== null && extensionIsHelplineNumber(agent.extension, helplineNumber)) return agent.id;
  }
  return null;
}
