/**
 * The commands that show what uses a port on a machine — listening on it, or connected out to it — and how to go
 * from the process id to a program, for each operating system a reader may be on.
 */
import { isPort, MAX_PORT, type Protocol } from './number.ts';

export const OPERATING_SYSTEMS = ['linux', 'macos', 'windows', 'powershell'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

/**
 * The system a reader is most likely on, from what their browser says of its platform: `navigator.userAgentData`'s
 * platform where there is one ("Windows", "macOS", "Linux", "Android", "Chrome OS"), else the user agent. Windows
 * gets its cmd tab; phones and tablets the system their commands are closest to.
 */
export function platformOs(platform: string | undefined, userAgent: string): OperatingSystem {
  const said = (platform || userAgent).toLowerCase();
  if (/mac|iphone|ipad|ios\b|darwin/.test(said)) return 'macos';
  if (said.includes('win')) return 'windows';
  return 'linux';
}

/**
 * What a generated command shows, as a key of the `command.*` strings in each locale's dictionary. A socket has
 * two ends: "local" commands match port N on this machine (listeners, and connections made to them), "out"
 * commands match connections this machine makes to port N elsewhere (a program beaconing out, the case the
 * articles warn about), and "either" commands match both, as lsof's `-i :N` does.
 */
export const COMMAND_LABELS = [
  'listening',
  'out',
  'either',
  'tcpEither',
  'udpEither',
  'local',
  'tcpLocal',
  'udpLocal',
  'pid',
] as const;
export type CommandLabel = (typeof COMMAND_LABELS)[number];

/**
 * One command and what it shows: generated commands name their label (`says`) so each page words it in its own
 * language; an article's own commands bring their (English) label with them.
 */
export type Command = { command: string } & ({ says: CommandLabel; label?: never } | { label: string; says?: never });

export interface CommandSet {
  os: OperatingSystem;
  commands: Command[];
}

/**
 * A findstr pattern for the lines of `netstat -ano` whose local address ends in `:port`. A bare `:3515` would also
 * match 35150–35159 and connections whose remote port is 3515; this one reads the protocol column, then the local
 * address up to the port and the space after it. findstr's regular expressions know `^`, `*` and `[…]`, no more.
 */
export const netstatLocalPort = (port: number) => `"^ *[TU][CD]P  *[^ ]*:${port} "`;

/**
 * The same for the foreign (remote) address, the column after the local one: TCP connections this machine has
 * open to `port` elsewhere. The local address is `[^ ][^ ]*`, at least one character, so that the pattern cannot
 * skip it and read the local port as the foreign one. Only TCP: netstat prints `*:*` as the foreign address of
 * every UDP socket.
 */
export const netstatRemotePort = (port: number) => `"^ *TCP  *[^ ][^ ]*  *[^ ]*:${port} "`;

/** A stand-in the reader replaces with the process id the first command printed. */
export const PID_PLACEHOLDER = '<PID>';

/**
 * Commands that show what uses `port` on a machine — listening on it, or connected out to it — and how to go from
 * the process id to a program, for each operating system. Only the protocols the port uses get a command; a port
 * registered for neither TCP nor UDP falls back to both, since squatters rarely respect the registered protocol.
 */
export function defaultCheckCommands(port: number, protocols: readonly Protocol[]): CommandSet[] {
  if (!isPort(port)) throw new RangeError(`${String(port)} is not a port number (0–${MAX_PORT})`);
  const tcp = protocols.includes('tcp') || !protocols.includes('udp');
  const udp = protocols.includes('udp') || !protocols.includes('tcp');
  const ss = `-${tcp ? 't' : ''}${udp ? 'u' : ''}`;
  const pid = PID_PLACEHOLDER;
  const ps = { says: 'pid', command: `ps -p ${pid} -o pid,user,comm,args` } as const;
  const only = <T>(when: boolean, command: T): T[] => (when ? [command] : []);
  return [
    {
      os: 'linux',
      commands: [
        { says: 'listening', command: `sudo ss ${ss}lnp 'sport = :${port}'` },
        // Without -l, ss lists connected sockets only; dport is the far end's port.
        { says: 'out', command: `sudo ss ${ss}np 'dport = :${port}'` },
        { says: 'either', command: `sudo lsof -nP -i :${port}` },
        ps,
      ],
    },
    {
      // lsof's -iTCP:N matches the port at either end: listeners, and connections in or out (NAME shows local->remote).
      os: 'macos',
      commands: [
        ...only(tcp, { says: 'tcpEither', command: `sudo lsof -nP -iTCP:${port}` } as const),
        ...only(udp, { says: 'udpEither', command: `sudo lsof -nP -iUDP:${port}` } as const),
        ps,
      ],
    },
    {
      os: 'windows',
      commands: [
        { says: 'local', command: `netstat -ano | findstr /R /C:${netstatLocalPort(port)}` },
        ...only(tcp, { says: 'out', command: `netstat -ano | findstr /R /C:${netstatRemotePort(port)}` } as const),
        { says: 'pid', command: `tasklist /FI "PID eq ${pid}"` },
      ],
    },
    {
      // Four columns at most, so PowerShell prints a table rather than a list. UDP endpoints have no remote end.
      os: 'powershell',
      commands: [
        ...only(tcp, {
          says: 'tcpLocal',
          command: `Get-NetTCPConnection -LocalPort ${port} -ErrorAction Ignore | Select-Object LocalAddress, LocalPort, State, OwningProcess`,
        } as const),
        ...only(tcp, {
          says: 'out',
          command: `Get-NetTCPConnection -RemotePort ${port} -ErrorAction Ignore | Select-Object LocalAddress, RemoteAddress, State, OwningProcess`,
        } as const),
        ...only(udp, {
          says: 'udpLocal',
          command: `Get-NetUDPEndpoint -LocalPort ${port} -ErrorAction Ignore | Select-Object LocalAddress, LocalPort, OwningProcess`,
        } as const),
        { says: 'pid', command: `Get-Process -Id ${pid} | Select-Object Id, ProcessName, Path` },
      ],
    },
  ];
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

/** What a machine-wide command shows, as a key of the `check.command.*` strings in each locale's dictionary. */
export const LISTENER_COMMAND_LABELS = [
  'ss',
  'netstat',
  'lsofTcp',
  'lsofUdp',
  'netstatMac',
  'netstatWindows',
  'tcp',
  'udp',
] as const;
export type ListenerCommandLabel = (typeof LISTENER_COMMAND_LABELS)[number];

export interface ListenerCommandSet {
  os: OperatingSystem;
  commands: { says: ListenerCommandLabel; command: string }[];
}

/**
 * Commands that list every listening socket on a machine, with the process of each where the system tells it,
 * for /check/: their output is what its parser reads (src/lib/listeners/parse.ts). PowerShell's Select-Object
 * keeps to four columns, so the result prints as a table rather than a list.
 */
export function listenerCommands(): ListenerCommandSet[] {
  return [
    {
      os: 'linux',
      commands: [
        { says: 'ss', command: 'sudo ss -tulpn' },
        { says: 'netstat', command: 'sudo netstat -tulpn' },
      ],
    },
    {
      os: 'macos',
      commands: [
        { says: 'lsofTcp', command: 'sudo lsof -nP -iTCP -sTCP:LISTEN' },
        { says: 'lsofUdp', command: 'sudo lsof -nP -iUDP' },
        { says: 'netstatMac', command: 'netstat -an' },
      ],
    },
    { os: 'windows', commands: [{ says: 'netstatWindows', command: 'netstat -ano' }] },
    {
      os: 'powershell',
      commands: [
        {
          says: 'tcp',
          command: 'Get-NetTCPConnection -State Listen | Select-Object LocalAddress, LocalPort, State, OwningProcess',
        },
        { says: 'udp', command: 'Get-NetUDPEndpoint | Select-Object LocalAddress, LocalPort, OwningProcess' },
      ],
    },
  ];
}
