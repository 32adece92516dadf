// The admin console: the directory (agents, phones, helplines, contacts and their CSV import), the
// lines to paste into a phone, and this Ringside's own state (addresses, the shared services in
// use, saving to disk). Shown to whoever administers the account (GET /api/session `admin`: the
// admin token, an agent marked admin, a single seat's own agent); every request here is admin-only
// on the server too (a 403 for any other agent), so the tab being hidden is not what keeps agents out.
import { useCallback, useState, type ReactNode } from 'react';
import { AgentsSection } from './admin/AgentsSection';
import { ContactsSection } from './admin/ContactsSection';
import { HelplinesSection } from './admin/HelplinesSection';
import { PhonesSection } from './admin/PhonesSection';
import { PhoneSetupSection, SystemSection } from './admin/SystemSections';
import { type RestClient } from '../api/rest';
import type { Agent, HealthReport } from '../api/types';
import { TabPanel, Tabs, type TabSpec } from './Tabs';

type Section = 'agents' | 'phones' | 'helplines' | 'contacts' | 'phone-setup' | 'system';

export interface AdminConsoleProps {
  rest: RestClient;
  health: HealthReport | null;
  /** Something in the directory changed: the rest of the window reloads what it shows. */
  onChanged: () => void;
  /** Extra actions per agent row, beside Edit, the sign-in actions (invite link, password) and Remove. */
  agentActions?: (agent: Agent) => ReactNode;
}

export { adminErrorText } from './admin/shared';

const SECTIONS: TabSpec<Section>[] = [
  { id: 'agents', label: 'Agents' },
  { id: 'phones', label: 'Phones' },
  { id: 'helplines', label: 'Helplines' },
  { id: 'contacts', label: 'Contacts' },
  { id: 'phone-setup', label: 'Connect a phone' },
  { id: 'system', label: 'System' },
];

export function AdminConsole({ rest, health, onChanged, agentActions }: AdminConsoleProps) {
  const [section, setSection] = useState<Section>('agents');
  // One counter for the whole directory: an agent added shows in the phones' and helplines' choices too.
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => {
    setVersion((v) => v + 1);
    onChanged();
  }, [onChanged]);
  return (
    <section className="panel admin" aria-labelledby="admin-title">
      <h2 id="admin-title">Admin</h2>
      <Tabs tabs={SECTIONS} selected={section} onSelect={setSection} label="Admin sections" />
      <TabPanel id={section}>
        {section === 'agents' ? <AgentsSection rest={rest} version={version} changed={changed} agentActions={agentActions} /> : null}
        {section === 'phones' ? <PhonesSection rest={rest} version={version} changed={changed} health={health} /> : null}
        {section === 'helplines' ? <HelplinesSection rest={rest} version={version} changed={changed} /> : null}
        {section === 'contacts' ? <ContactsSection rest={rest} version={version} changed={changed} /> : null}
        {section === 'phone-setup' ? <PhoneSetupSection rest={rest} /> : null}
        {section === 'system' ? <SystemSection rest={rest} health={health} version={version} /> : null}
      </TabPanel>
    </section>
  );
}
