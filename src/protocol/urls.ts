/**
 * A URL a browser on this machine can open: a listener bound to every interface
 * (0.0.0.0 or ::) is reached on loopback. No trailing slash.
 */
export function browsableOrigin(listenerUrl: string): string {
  const url = new URL(listenerUrl);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  if (url.hostname === '[::]') url.hostname = '[::1]';
  return url.origin;
}

/** The agent UI with its session token in the fragment: a fragment never reaches a server or its logs. */
export function agentUiUrl(apiUrl: string, token: string): string {
  return `${browsableOrigin(apiUrl)}/#token=${encodeURIComponent(token)}`;
}
