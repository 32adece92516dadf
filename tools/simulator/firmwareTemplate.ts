import { ACTION_URL_EVENTS, actionUrl, type ActionUrlEvent, type ActionUrlTarget, type PhoneVariable } from '../../src/domain/provisioning/actionUrls';

/** The phone's names for its events, as `ringside action-urls` prints them. */
export type PhoneEventLabel =
  | 'Incoming Call'
  | 'Outgoing Call'
  | 'Missed Call'
  | 'Established Call'
  | 'Terminated Call'
  | 'Blind Transfer'
  | 'Attended Transfer'
  | 'Hold'
  | 'UnHold'
  | 'Rejected Call';

/**
 * Events some models send that `ringside action-urls` does not print (yet): the simulated phone
 * still sends them so Ringside's handling of them is exercised. "Rejected Call" exists on some
 * models only (reference/grandstream.md); its P-value is not documented.
 */
const MODEL_SPECIFIC_EVENTS: readonly ActionUrlEvent[] = [
  { label: 'Rejected Call', pValue: '', event: 'rejected', variables: ['mac', 'remote', 'local', 'active_user'] },
];

export function actionUrlEvent(label: PhoneEventLabel): ActionUrlEvent {
  const def = [...ACTION_URL_EVENTS, ...MODEL_SPECIFIC_EVENTS].find((e) => e.label === label);
  if (!def) throw new Error(`no Action URL for the phone event '${label}'`);
  return def;
}

/**
 * The URL the phone requests for one event: the very template `ringside action-urls` prints (the
 * same code builds it, so the two never drift), with each `$variable` replaced the way the
 * firmware does it: the value inserted as is (no percent-encoding, so spaces, `+` and UTF-8 go out
 * raw), and a variable the phone has no value for left in place literally (`remote=$remote`).
 */
export function fillActionUrl(target: ActionUrlTarget, label: PhoneEventLabel, values: Partial<Record<PhoneVariable, string>>): string {
  return fillTemplate(actionUrl(target, actionUrlEvent(label)), values);
}

/** Any Action URL template as the firmware fills it: see fillActionUrl. */
export function fillTemplate(template: string, values: Partial<Record<PhoneVariable, string>>): string {
  return template.replace(/\$([a-z_]+)/g, (literal, name: string) => {
    const value = values[name as PhoneVariable];
    return value === undefined || value === '' ? literal : value;
  });
}

/** `http://host:port/path?query` → `/path?query`, without URL parsing (which would encode it). */
export function requestTarget(url: string): string {
  const afterScheme = url.indexOf('://');
  const slash = url.indexOf('/', afterScheme === -1 ? 0 : afterScheme + 3);
  return slash === -1 ? '/' : url.slice(slash);
}
