// The admin console's Action URL lines and the system this Ringside runs on.
import { useCallback } from 'react';
import type { RestClient } from '../../api/rest';
import type { HealthReport, SettingsView } from '../../api/types';
import { ActionUrls, ServiceRow } from '../phoneParts';
import { databaseText, rabbitDetails, redisDetails } from '../../systemText';
import { useLoaded } from './shared';

export function PhoneSetupSection({ rest }: { rest: RestClient }) {
  return (
    <>
      <h3>Connect a phone</h3>
      <p>
        Ringside hears about calls from the phone itself. Either use <strong>Write into the phone</strong> under Phones (after saving the phone’s address and
        password), or paste each line below into the phone’s web page: <em>Settings → Outbound Notification → Action URL</em> (on GXV32xx: <em>Maintenance → Event Notify</em>).
      </p>
      <ActionUrls rest={rest} />
    </>
  );
}

export function SystemSection({ rest, health, version }: { rest: RestClient; health: HealthReport | null; version: number }) {
  const settings = useLoaded<SettingsView>(useCallback(() => rest.settings(), [rest]), version);
  const s = settings.value;
  const postgres = s?.database?.kind === 'postgres' ? s.database : null;
  const shared = s !== null && (s.redis !== null || s.amqp !== null || postgres !== null);
  return (
    <>
      <h3>This Ringside</h3>
      {settings.error ? <p className="error" role="alert">{settings.error}</p> : null}
      <dl className="settings-grid" aria-label="This Ringside">
        <dt>Agent window</dt>
        <dd className="mono" data-setting="api">{s ? `${s.api.host}:${s.api.port}` : window.location.host}</dd>
        <dt>Listens for phones on</dt>
        <dd className="mono" data-setting="webhook">{s ? `${s.webhook.host}:${s.webhook.port}` : '…'}</dd>
        <dt>Phones reach it at</dt>
        <dd className="mono" data-setting="public">{s ? `${s.webhook.publicHost}:${s.webhook.port}` : '…'}</dd>
        <dt>Phone listener</dt>
        <dd data-service="listener"><span className={`state--${health?.listener ?? 'unknown'}`}>{health?.listener ?? 'unknown'}</span></dd>
        <dt>Saving to disk</dt>
        <dd data-service="storage">
          <span className={`state--${health?.storage?.state ?? 'unknown'}`}>
            {health?.storage ? (health.storage.state === 'up' ? 'up' : `down: ${health.storage.reason ?? 'write failed'}`) : 'unknown'}
          </span>
        </dd>
        {s?.database?.kind === 'sqlite' ? (
          <>
            <dt>Call history database</dt>
            <dd data-service="database">{databaseText(s.database)} <span className="mono">{s.database.file}</span></dd>
          </>
        ) : null}
        <dt>Mode</dt>
        <dd>{s === null ? '…' : shared ? 'Shared with other seats' : 'Single seat (everything on this computer)'}</dd>
      </dl>
      {shared && s ? (
        <>
          <h4>Shared services</h4>
          <dl className="settings-grid" aria-label="Shared services">
            {postgres ? <ServiceRow rest={rest} service="database" state={health?.database} isAdmin details={[databaseText(postgres)]} /> : null}
            {s.redis ? <ServiceRow rest={rest} service="redis" state={health?.redis} isAdmin details={redisDetails(s.redis)} /> : null}
            {s.amqp ? <ServiceRow rest={rest} service="rabbitmq" state={health?.rabbitmq} isAdmin details={rabbitDetails(s.amqp)} /> : null}
            {s.amqp ? (
              <>
                <dt>Phone events not yet forwarded</dt>
                <dd className="mono" data-setting="backlog">{health?.spoolDepth ?? '—'}</dd>
              </>
            ) : null}
          </dl>
          <p className="muted">Test asks the service now. The addresses are set in Ringside’s configuration on the server; passwords are never shown.</p>
        </>
      ) : null}
    </>
  );
}
