import { BlockList, isIP } from 'node:net';

/**
 * The optional source-address allow-list (RINGSIDE_PHONE_ALLOW). Phones authenticate with
 * nothing but the token in their URL, so limiting which networks may talk to the listener
 * is the second line of defence.
 */
export interface AllowList {
  /** True when the address may send events (always true for an empty list). */
  allows(address: string): boolean;
}

/**
 * Builds the list from CIDRs (`10.0.0.0/8`, `fd00::/8`) or single addresses. Throws on an
 * invalid entry: a typo in the allow-list must stop startup, not silently open or close it.
 */
export function createAllowList(cidrs: readonly string[]): AllowList {
  const entries = cidrs.map((c) => c.trim()).filter((c) => c.length > 0);
  if (entries.length === 0) return { allows: () => true };
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry);
  return {
    allows(address: string): boolean {
      const ip = normaliseAddress(address);
      const family = isIP(ip);
      if (family === 0) return false;
      return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = normaliseAddress(slash === -1 ? entry : entry.slice(0, slash));
  const family = isIP(address);
  if (family === 0) throw new Error(`invalid allow-list entry: ${entry}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(address, type);
    return;
  }
  const prefixText = entry.slice(slash + 1);
  const prefix = Number(prefixText);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) throw new Error(`invalid allow-list entry: ${entry}`);
  list.addSubnet(address, prefix, type);
}

/**
 * Dual-stack sockets report IPv4 peers as `::ffff:a.b.c.d`; they must match IPv4 CIDRs and be
 * recorded as the plain IPv4 address. Zone ids (`fe80::1%eth0`) are dropped for matching.
 */
export function normaliseAddress(address: string): string {
  let ip = address;
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  if (ip.length > 7 && ip.charCodeAt(0) === 0x3a && ip.slice(0, 7).toLowerCase() === '::ffff:') {
    const v4 = ip.slice(7);
    if (isIP(v4) === 4) return v4;
  }
  return ip;
}
