import { networkInterfaces } from 'node:os';
import { ConfigError, loadConfig } from '../app/config/loadConfig';
import type { RingsideConfig } from '../app/config/schema';
import { describePublicHost, formatActionUrlLine, listenerActionUrls, MAX_ACTION_URL_LENGTH, type ActionUrl, type ListenerActionUrls } from '../domain/provisioning/actionUrls';
import { HELP_OPTION, parseCommandArgs } from './args';
import type { CliIo } from './main';

/** The Action URLs of this configuration's listener, as phones on the LAN reach it: they carry the webhook token. */
export function configuredActionUrls(command: string, config: RingsideConfig): ListenerActionUrls {
  if (config.webhook.port === 0) {
    throw new ConfigError(`${command}: the webhook port is 0 (picked at start-up); phones need a fixed one: set RINGSIDE_WEBHOOK_PORT`);
  }
  return listenerActionUrls(config.publicHost, config.webhook.port, config.webhookToken, networkInterfaces());
}

/** Says which URLs a phone would drop, and what makes them shorter. */
export function warnTooLong(urls: readonly ActionUrl[], io: CliIo): void {
  for (const entry of urls.filter((u) => u.tooLong)) {
    io.stderr(`ringside: warning: the ${entry.label} URL is ${entry.url.length} characters; phones drop values over ${MAX_ACTION_URL_LENGTH}: use a shorter RINGSIDE_WEBHOOK_TOKEN or RINGSIDE_PUBLIC_HOST\n`);
  }
}

/** `ringside action-urls [--json]`: the lines to paste into the phone's Action URL page. */
export function actionUrlsCommand(args: string[], io: CliIo, usage: () => number): number {
  const { values } = parseCommandArgs('action-urls', args, { ...HELP_OPTION, json: { type: 'boolean' } });
  if (values.help) return usage();
  const config = loadConfig({ env: io.env, argv: args });
  const { publicHost, port, urls } = configuredActionUrls('action-urls', config);
  warnTooLong(urls, io);
  if (values.json) {
    const out = {
      host: publicHost.host,
      hostSource: publicHost.source,
      ...(publicHost.interfaceName ? { interface: publicHost.interfaceName } : {}),
      port,
      urls: urls.map(({ label, pValue, event, url }) => ({ label, pValue, event, url })),
    };
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const lines = [
    '# Grandstream Action URLs: phone web UI, Settings > Outbound Notification > Action URL (or provision the P-values)',
    `# ${describePublicHost(publicHost)}`,
    `# port ${port}: the webhook port`,
    ...urls.map(formatActionUrlLine),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
