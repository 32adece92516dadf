/**
 * Addresses as people and Grandstream phones write them. The phone's own examples leave out the
 * scheme (`192.168.1.20:7789/gs/...`), and so do people typing a phone's address: such an
 * address is read as http.
 */
export function withHttpScheme(raw: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
}

/** The host (an IPv6 address without its brackets) and port (the scheme's default when none) of a URL. */
export function hostAndPort(url: URL): { host: string; port: number } {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
