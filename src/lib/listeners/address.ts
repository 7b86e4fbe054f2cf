/**
 * The local end of a socket as the tools print it: `0.0.0.0:22` (ss, Linux netstat, Windows netstat, lsof),
 * `[::1]:6379` and `[fe80::1]%eth0:8443` (ss), `:::22` (Linux netstat, IPv6 without brackets), `*.3515` and
 * `fe80::1%lo0.631` (macOS netstat, a dot before the port). What a reader needs from it: the port, and whether
 * other machines can reach it.
 */

/** Who can reach a socket: every interface (`0.0.0.0`, `::`, `*`), this machine only, or one address. */
export type Scope = 'all' | 'loopback' | 'specific';

export interface Endpoint {
  /** The address as printed, without brackets; the zone stays (`fe80::1%eth0`). */
  address: string;
  /** The port as printed: digits, `*`, or a service name when the tool was not asked for numbers. */
  port: string;
}

/**
 * Splits `address<sep>port` at the last separator. Brackets around IPv6 are removed; ss's `[addr]%zone:port`
 * keeps its zone on the address. `null` when there is no separator at all.
 */
export function splitEndpoint(text: string, separator: ':' | '.'): Endpoint | null {
  const at = text.lastIndexOf(separator);
  if (at <= 0 || at === text.length - 1) return null;
  let address = text.slice(0, at);
  const port = text.slice(at + 1);
  const bracketed = /^\[([^\]]*)\](%[^:]+)?$/.exec(address);
  if (bracketed) address = `${bracketed[1]!}${bracketed[2] ?? ''}`;
  return { address, port };
}

/** The separator before the port: macOS netstat writes `127.0.0.1.631`, every other tool `127.0.0.1:631`. */
export const portSeparator = (text: string): ':' | '.' => (text.lastIndexOf('.') > text.lastIndexOf(':') ? '.' : ':');

/** A port number as printed, or `null` for anything else: `*`, a service name, `035150`, `70000`. */
export function portNumber(text: string): number | null {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** The sixteen bytes of an IPv6 address, or null if it is not one (an embedded IPv4 tail is allowed). */
function ipv6Groups(text: string): number[] | null {
  let address = text;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (tail) {
    const bytes = tail[1]!.split('.').map(Number);
    if (bytes.some((b) => b > 255)) return null;
    address = `${address.slice(0, tail.index)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

/**
 * Whether other machines can reach an address. A zone (`%lo`) on a wildcard ties it to that interface, so
 * `0.0.0.0%lo` is the loopback one. Anything that is not a recognisable wildcard or loopback address (a LAN
 * address, a link-local one, a name, a truncated IPv6) is a specific address.
 */
export function addressScope(printed: string): Scope {
  const [address = '', zone] = printed.toLowerCase().split('%');
  const loopbackZone = zone === 'lo' || zone === 'lo0';
  if (address === '*' || address === '' || address === '0.0.0.0') return loopbackZone ? 'loopback' : 'all';
  if (address === 'localhost' || address === 'ip6-localhost' || /^127\.\d+\.\d+\.\d+$/.test(address)) return 'loopback';
  const groups = ipv6Groups(address);
  if (!groups) return 'specific';
  const zeros = groups.slice(0, 7).every((g) => g === 0);
  if (zeros && groups[7] === 0) return loopbackZone ? 'loopback' : 'all';
  if (zeros && groups[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address it carries.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    if (groups[6] === 0 && groups[7] === 0) return 'all';
    if (groups[6]! >> 8 === 127) return 'loopback';
  }
  return 'specific';
}
