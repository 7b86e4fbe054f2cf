/**
 * The commands that show what is listening on a port, and how to go from the process id to a program, for each
 * operating system a reader may be on.
 */
import { isPort, MAX_PORT, type Protocol } from './number.ts';

export const OPERATING_SYSTEMS = ['linux', 'macos', 'windows', 'powershell'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

/** What a generated command shows, as a key of the `command.*` strings in each locale's dictionary. */
export const COMMAND_LABELS = [
  'sockets',
  'lsof',
  'pid',
  'tcpListeners',
  'udpSockets',
  'netstat',
  'tcpConnections',
  'udpEndpoints',
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
          ? [{ says: 'sockets' as const, command: `sudo ss -${tcp ? 't' : ''}${udp ? 'u' : ''}lnp 'sport = :${port}'` }]
          : []),
        { says: 'lsof' as const, command: `sudo lsof -nP -i :${port}` },
        { says: 'pid' as const, command: `ps -p ${pid} -o pid,user,comm,args` },
      ],
    },
    {
      os: 'macos',
      commands: [
        ...(tcp ? [{ says: 'tcpListeners' as const, command: `sudo lsof -nP -iTCP:${port} -sTCP:LISTEN` }] : []),
        ...(udp ? [{ says: 'udpSockets' as const, command: `sudo lsof -nP -iUDP:${port}` }] : []),
        { says: 'pid' as const, command: `ps -p ${pid} -o pid,user,comm,args` },
      ],
    },
    {
      os: 'windows',
      commands: [
        { says: 'netstat' as const, command: `netstat -ano | findstr /R /C:${netstatLocalPort(port)}` },
        { says: 'pid' as const, command: `tasklist /FI "PID eq ${pid}"` },
      ],
    },
    {
      os: 'powershell',
      commands: [
        ...(tcp
          ? [
              {
                says: 'tcpConnections' as const,
                command: `Get-NetTCPConnection -LocalPort ${port} -ErrorAction SilentlyContinue | Select-Object LocalAddress, LocalPort, State, OwningProcess`,
              },
            ]
          : []),
        ...(udp
          ? [
              {
                says: 'udpEndpoints' as const,
                command: `Get-NetUDPEndpoint -LocalPort ${port} -ErrorAction SilentlyContinue | Select-Object LocalAddress, LocalPort, OwningProcess`,
              },
            ]
          : []),
        { says: 'pid' as const, command: `Get-Process -Id ${pid} | Select-Object Id, ProcessName, Path` },
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
