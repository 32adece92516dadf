// What the admin console's sections share: error sentences, the status line, loading, confirmation.
import { useEffect, useState } from 'react';
import { ApiError, describeError } from '../../api/rest';

/** The names people read for the fields the API names in its 400s. */
export const FIELD_LABEL: Readonly<Record<string, string>> = {
  id: 'Sign-in name', name: 'Name', extension: 'Extension', devices: 'Phones', helplines: 'Helplines', supervisor: 'Supervisor', admin: 'Administrator',
  mac: 'Phone MAC address', agent: 'Agent', number: 'Number', agents: 'Members', company: 'Company', notes: 'Notes', crmUrl: 'CRM link',
  host: 'Address', port: 'Port', username: 'User name', password: 'Password',
};

export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const upper = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(upper) ? upper : `${upper}.`;
}

/** A refused change in words a person can act on. */
export function adminErrorText(error: unknown): string {
  if (!(error instanceof ApiError)) return describeError(error);
  const details = (error.body as { details?: unknown } | null)?.details;
  if (error.status === 400 && Array.isArray(details) && details.length > 0) {
    return details.map((d: { path?: unknown; message?: unknown }) => {
      const path = typeof d.path === 'string' ? d.path.split('.')[0]! : '';
      return sentence(`${FIELD_LABEL[path] ?? (path || 'The form')} ${typeof d.message === 'string' ? d.message : 'is not valid'}`);
    }).join(' ');
  }
  switch (error.status) {
    case 401: return 'Your sign-in has ended. Sign in again to make changes.';
    case 403: return 'Only an administrator can change this.';
    case 413: return 'The file is too large: at most 10 MB and 100,000 rows.';
    case 503: return 'Ringside cannot save changes right now (a shared service is unreachable). Try again in a moment.';
    default: return sentence(error.message);
  }
}

export type Status = { tone: 'ok' | 'bad'; text: string } | null;

export function StatusLine({ status, testId }: { status: Status; testId: string }) {
  return status ? <p className={`notice notice--${status.tone}`} role={status.tone === 'bad' ? 'alert' : 'status'} data-testid={testId}>{status.text}</p> : null;
}

/** A list from the API, loaded again whenever `version` changes. */
export function useLoaded<T>(load: () => Promise<T>, version: number): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    load().then((v) => {
      if (!current) return;
      setValue(v);
      setError(null);
    }, (e: unknown) => current && setError(adminErrorText(e)));
    return () => {
      current = false;
    };
  }, [load, version]);
  return { value, error };
}

/** Asks before a removal: the browser's own confirmation, which every user knows. */
export function confirmed(question: string): boolean {
  return typeof window.confirm !== 'function' || window.confirm(question);
}
