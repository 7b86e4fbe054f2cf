/**
 * Port-number logic: ranges (RFC 6335 §6), parsing what a reader types, and the commands that show
 * what is listening on a port. Plain TypeScript with no Astro imports, so unit tests run it directly.
 */

export const MIN_PORT = 0;
export const MAX_PORT = 65535;

export const PROTOCOLS = ['tcp', 'udp', 'sctp', 'dccp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type PortRange = 'system' | 'user' | 'dynamic';

/** Exact lookups fetch `/lookup/N.json`, which holds ports N×100 to N×100+99: a few KB per number typed. */
export const LOOKUP_SHARD_SIZE = 100;
export const lookupShard = (port: number) => Math.floor(port / LOOKUP_SHARD_SIZE);

export interface RangeInfo {
  range: PortRange;
  first: number;
  last: number;
}

/** RFC 6335 §6: system (well-known) 0–1023, user (registered) 1024–49151, dynamic (private) 49152–65535. */
export const RANGES: readonly RangeInfo[] = [
  { range: 'system', first: 0, last: 1023 },
  { range: 'user', first: 1024, last: 49151 },
  { range: 'dynamic', first: 49152, last: 65535 },
];

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_PORT && value <= MAX_PORT;
}

export function rangeOf(port: number): RangeInfo {
  if (!isPort(port)) throw new RangeError(`${String(port)} is not a port number (0–${MAX_PORT})`);
  // The ranges cover 0–65535 without gaps, so a valid port always finds one.
  return RANGES.find((r) => port >= r.first && port <= r.last)!;
}

export type PortQuery =
  { kind: 'port'; port: number; protocol?: Protocol } | { kind: 'out-of-range'; value: string } | { kind: 'text' };

/**
 * Recognises a query that names one port number in the forms people paste from tools and docs:
 * `3515`, `port 3515`, `3515/tcp`, `tcp/3515`, `:3521`, `udp 3521`, `TCP:3521`.
 */
const PORT_QUERY =
  /^(?:port\s*)?(?:(?<p1>tcp|udp|sctp|dccp)\s*[/:\s]\s*)?(?:port\s*)?:?(?<n>\d{1,9})(?:\s*[/\s]\s*(?<p2>tcp|udp|sctp|dccp))?$/i;

export function parsePortQuery(input: string): PortQuery {
  const match = PORT_QUERY.exec(input.trim());
  const digits = match?.groups?.['n'];
  if (!match || digits === undefined) return { kind: 'text' };
  const port = Number(digits);
  if (!isPort(port)) return { kind: 'out-of-range', value: digits };
  const protocol = (match.groups?.['p1'] ?? match.groups?.['p2'])?.toLowerCase() as Protocol | undefined;
  return protocol ? { kind: 'port', port, protocol } : { kind: 'port', port };
}

export const OPERATING_SYSTEMS = ['linux', 'macos', 'windows', 'powershell'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export interface Command {
  /** What the command shows, in one line. */
  label: string;
  command: string;
}

export interface CommandSet {
  os: OperatingSystem;
  commands: Command[];
}

/** A stand-in the reader replaces with the process id the first command printed. */
export const PID_PLACEHOLDER = '<PID>';

/**
 * Commands that show what is bound to `port`, and how to go from the process id to a program, for each
 * operating system. Only the protocols the port uses get a command; a port registered for neither TCP nor
 * UDP falls back to both, since squatters rarely respect the registered protocol.
 */
export function defaultCheckCommands(port: number, protocols: readonly Protocol[]): CommandSet[] {
  if (!isPort(port)) throw new RangeError(`${String(port)} is not a port number (0–${MAX_PORT})`);
  const tcp = protocols.includes('tcp') || !protocols.includes('udp');
  const udp = protocols.includes('udp') || !protocols.includes('tcp');
  const pid = PID_PLACEHOLDER;
  const sets: CommandSet[] = [
    {
      os: 'linux',
      commands: [
        ...(tcp || udp
          ? [
              {
                label: `Sockets bound to port ${port}, with the owning process`,
                command: `sudo ss -${tcp ? 't' : ''}${udp ? 'u' : ''}lnp 'sport = :${port}'`,
              },
            ]
          : []),
        { label: 'Every open file on the port (needs lsof)', command: `sudo lsof -nP -i :${port}` },
        { label: 'From a process id to its program', command: `ps -p ${pid} -o pid,user,comm,args` },
      ],
    },
    {
      os: 'macos',
      commands: [
        ...(tcp ? [{ label: 'TCP listeners on the port', command: `sudo lsof -nP -iTCP:${port} -sTCP:LISTEN` }] : []),
        ...(udp ? [{ label: 'UDP sockets on the port', command: `sudo lsof -nP -iUDP:${port}` }] : []),
        { label: 'From a process id to its program', command: `ps -p ${pid} -o pid,user,comm,args` },
      ],
    },
    {
      os: 'windows',
      commands: [
        {
          label: 'Connections and listeners on the port, with process ids',
          command: `netstat -ano | findstr :${port}`,
        },
        { label: 'From a process id to its program', command: `tasklist /FI "PID eq ${pid}"` },
      ],
    },
    {
      os: 'powershell',
      commands: [
        ...(tcp
          ? [
              {
                label: 'TCP connections and listeners on the port',
                command: `Get-NetTCPConnection -LocalPort ${port} -ErrorAction SilentlyContinue | Select-Object LocalAddress, LocalPort, State, OwningProcess`,
              },
            ]
          : []),
        ...(udp
          ? [
              {
                label: 'UDP endpoints on the port',
                command: `Get-NetUDPEndpoint -LocalPort ${port} -ErrorAction SilentlyContinue | Select-Object LocalAddress, LocalPort, OwningProcess`,
              },
            ]
          : []),
        {
          label: 'From a process id to its program',
          command: `Get-Process -Id ${pid} | Select-Object Id, ProcessName, Path`,
        },
      ],
    },
  ];
  return sets;
}

export interface CommandOverride {
  /** Replace the generated commands for this system instead of adding to them. */
  replace: boolean;
  commands: Command[];
}

export type CommandOverrides = Partial<Record<OperatingSystem, CommandOverride>>;

/** The generated defaults with a page's own additions (appended) or replacements applied. */
export function checkCommands(
  port: number,
  protocols: readonly Protocol[],
  overrides: CommandOverrides = {},
): CommandSet[] {
  return defaultCheckCommands(port, protocols).map((set) => {
    const override = overrides[set.os];
    if (!override) return set;
    return { os: set.os, commands: override.replace ? override.commands : [...set.commands, ...override.commands] };
  });
}

/** IANA writes people as `[Rick_Stefanik]` and documents as `[RFC6335]`; readers want the plain name. */
export function ianaName(value: string): string {
  return value.replace(/^\[|\]$/g, '').replace(/_/g, ' ');
}

/** IANA's own registry page, filtered to one port. */
export function ianaRegistryUrl(port: number): string {
  return `https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search=${port}`;
}
