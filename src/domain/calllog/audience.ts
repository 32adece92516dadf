import { isMissedCallFor } from '../../protocol/rules';
import type { Directory } from '../directory/Directory';
import type { PushHub } from '../push/PushHub';
import type { CallAudience, MissedCallView } from './CallLog';

/**
 * Who sees which calls (docs/agent-api.md, Who sees what). The call log applies a CallAudience
 * in its queries; these helpers build one from the directory and decide who is told of a
 * missed call's changes.
 */

/** The helplines an agent belongs to: those naming them as a member, and those of every agent. */
export async function helplinesOf(directory: Directory, account: string, agent: string): Promise<string[]> {
  const helplines = await directory.listHelplines(account);
  return helplines.filter((h) => h.agents === null || h.agents.includes(agent)).map((h) => h.number);
}

/** The calls an agent sees: their own, and their helplines' (CallAudience). Read per request, so a change of membership applies at once. */
export async function audienceOf(directory: Directory, account: string, agent: string): Promise<CallAudience> {
  return { agent, helplines: await helplinesOf(directory, account, agent) };
}

/** Whether the agent deals with this missed call (and may call it back): isMissedCallFor with their helplines. */
export function dealsWith(missed: MissedCallView, audience: CallAudience): boolean {
  return isMissedCallFor(missed, audience.agent, audience.helplines);
}

/**
 * The agents told of a change of this missed call (`missed.claimed`): those who deal with it (it
 * rang them, it came in on their helpline), who took it, and the supervisors, who see every
 * missed call. null: every agent (a call that rang nobody in particular). Admin connections get
 * it either way.
 */
export async function missedCallRecipients(directory: Directory, missed: MissedCallView): Promise<string[] | null> {
  if (missed.line !== 'helpline' && missed.targets.length === 0) return null;
  const agents = await directory.listAgents(missed.account);
  const helpline = missed.line === 'helpline' && missed.helpline !== null ? await directory.helplineByNumber(missed.account, missed.helpline) : null;
  const member = (agent: string) => helpline !== null && (helpline.agents === null || helpline.agents.includes(agent));
  const recipients = new Set([...missed.targets, ...(missed.owner ? [missed.owner] : [])]);
  for (const agent of agents) if (agent.supervisor || member(agent.id)) recipients.add(agent.id);
  return [...recipients];
}

/**
 * Sends `missed.claimed` (taken for a call-back, or closed by an answered call) to
 * missedCallRecipients. When the directory cannot say who they are, to the call's own agents and
 * owner only: a UI that missed it catches up when it reloads the list.
 */
export async function pushMissedClaimed(deps: { directory: Directory; push: PushHub }, missed: MissedCallView, at: number): Promise<void> {
  const message = { type: 'missed.claimed', at, account: missed.account, missed } as const;
  const recipients = await missedCallRecipients(deps.directory, missed)
    .catch(() => [...missed.targets, ...(missed.owner ? [missed.owner] : [])]);
  if (recipients === null) deps.push.toAccount(missed.account, message);
  else deps.push.toAgents(missed.account, recipients, message);
}
