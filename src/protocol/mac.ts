/**
 * MAC addresses arrive in whatever form the phone template produced (`$mac` is usually bare
 * hex, admins often type colons). Every form is normalised to 12 upper-case hex digits so the
 * device key is the same however the phone was provisioned.
 */

const HEX_DIGITS = 12;

/**
 * Accepts `00:0B:82:12:34:56`, `00-0b-82-12-34-56`, `000b.8212.3456` and `000b82123456`
 * (any case). Returns the normalised MAC, or null when the value is not a MAC address.
 */
export function parseMac(value: string): string | null {
  const s = value.trim();
  switch (s.length) {
    case 12:
      return hexOnly(s);
    case 14:
      return separatedEvery(s, 4, '.');
    case 17:
      return separatedEvery(s, 2, ':') ?? separatedEvery(s, 2, '-');
    default:
      return null;
  }
}

/** Groups of `width` hex digits joined by one separator, e.g. width 2 with ':'. */
function separatedEvery(s: string, width: number, separator: string): string | null {
  let digits = '';
  for (let i = 0; i < s.length; i++) {
    const isSeparatorPosition = (i + 1) % (width + 1) === 0;
    if (isSeparatorPosition) {
      if (s[i] !== separator) return null;
    } else {
      digits += s[i];
    }
  }
  return digits.length === HEX_DIGITS ? hexOnly(digits) : null;
}

function hexOnly(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return null;
  }
  return s.toUpperCase();
}
