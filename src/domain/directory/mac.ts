import { parseMac } from '../../protocol/mac';
import { DirectoryError } from './errors';

/** A MAC address as 12 upper-case hex digits, whatever common form it was written in. */
export function requireMac(raw: string): string {
  const mac = parseMac(raw);
  if (!mac) throw new DirectoryError('invalid_mac', 'a MAC address has 12 hex digits');
  return mac;
}
