/**
 * Reads the socket lists people paste — `ss -tulpn`, Linux `netstat -tulpn`, Windows `netstat -ano`, `lsof -nP -i`,
 * PowerShell's Get-NetTCPConnection and Get-NetUDPEndpoint tables and macOS `netstat -an` — into the sockets that
 * wait for others to connect: TCP listeners and unconnected UDP sockets. Every line is accounted for: a listener,
 * a line skipped for a stated reason (headers, prompts, established connections, other kinds of socket), or a line
 * not read, which the page shows as it was pasted. The formats can be mixed in one paste; each line is recognised
 * by its own shape, and headers only settle what a row cannot say itself (PowerShell's columns, macOS's pid).
 * tests/fixtures/listeners/README.md says where each sample format comes from.
 */
import { addressScope, portNumber, portSeparator, splitEndpoint, type Scope } from './address.ts';

export type Protocol = 'tcp' | 'udp';

/** Which tool printed a line. */
export type Format = 'ss' | 'netstat' | 'macos' | 'windows' | 'lsof' | 'powershell';

export interface Listener {
  protocol: Protocol;
  port: number;
  /** The local address as printed, without brackets (`0.0.0.0`, `::`, `*`, `fe80::1%eth0`). */
  address: string;
  scope: Scope;
  /** The program, where the tool names it. */
  process?: string;
  pid?: number;
  format: Format;
  /** The line of the pasted text it was read from, counting from 1. */
  line: number;
}

/**
 * Lines read and left out of the table: `header` is what the tools print around their rows (column titles,
 * section titles, notices, the command line and its prompt), `connection` a socket talking to another machine,
 * `other` a socket that is neither (Unix sockets, raw sockets, unbound ones).
 */
export const SKIPS = ['blank', 'header', 'connection', 'other'] as const;
export type Skip = (typeof SKIPS)[number];

/** A line not read: `name` when its port is a service name (run without -n or -P), else `unknown`. */
export interface Unread {
  line: number;
  text: string;
  why: 'name' | 'unknown';
}

export interface Parsed {
  listeners: Listener[];
  skipped: Record<Skip, number>;
  unread: Unread[];
}

type Outcome = { listeners: Omit<Listener, 'line'>[] } | { skip: Skip } | { unread: Unread['why'] };

const skip = (reason: Skip): Outcome => ({ skip: reason });
const unread = (why: Unread['why'] = 'unknown'): Outcome => ({ unread: why });

interface Context {
  /** Inside a section of Unix or kernel sockets (netstat -a prints them after the internet ones). */
  otherSection: boolean;
  /** Inside a parenthesised notice that runs over several lines (net-tools' "Not all processes…"). */
  notice: boolean;
  /** The columns of the PowerShell table being read, and its protocol. */
  powershell?: { columns: string[]; protocol: Protocol } | undefined;
  /** The protocol the last PowerShell command line names (Get-NetUDPEndpoint tables have no protocol column). */
  command?: Protocol | undefined;
  /** How macOS `netstat -v` gives the process: a `pid` column so many after `(state)`, or `name:pid`. */
  macPid?: number | 'process' | undefined;
  /**
   * The listeners of the last Windows row (none for a connection), which `netstat -b` follows with lines of its
   * own: the component, then the program in brackets.
   */
  windows?: Omit<Listener, 'line'>[] | undefined;
  /** The previous line was a PowerShell header, which a narrow console may have wrapped. */
  afterHeader: boolean;
}

const SS_STATES = new Set([
  'LISTEN',
  'UNCONN',
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSE-WAIT',
  'LAST-ACK',
  'CLOSING',
  'CLOSED',
  'UNKNOWN',
]);
const SS_NETIDS = new Set(['tcp', 'udp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'p_raw', 'p_dgr', 'nl', 'mptcp', 'sctp']);
const DIGITS = /^\d+$/;

/** A command that lists sockets, after any prompt: `$ sudo ss -tulpn`, `PS C:\> Get-NetUDPEndpoint`. */
const COMMAND =
  /(?:^|[\s$#%>❯➜»])(?:sudo\s+(?:-\S+\s+)*)?(ss|netstat|lsof|get-nettcpconnection|get-netudpendpoint)(?=\s|$|\|)/i;
/** A prompt alone on its line. */
const PROMPT = /^(?:PS\s[^>]*>|[A-Za-z]:\\[^>]*>|[\w.-]+@[\w.-]+\S*[$#%]|[$#%❯➜»])$/;

function endpoint(text: string, separator: ':' | '.' = ':') {
  const found = splitEndpoint(text, separator);
  if (!found) return null;
  return { ...found, number: portNumber(found.port) };
}

/** A listener from the local end of a row, or why there is none. */
function local(
  text: string,
  separator: ':' | '.',
  facts: { protocol: Protocol; format: Format; process?: string | undefined; pid?: number | undefined }[],
): Outcome {
  const end = endpoint(text, separator);
  if (!end) return unread();
  if (end.port === '*') return skip('other');
  if (end.number === null) return unread(/^[a-z][\w-]*$/i.test(end.port) ? 'name' : 'unknown');
  const scope = addressScope(end.address);
  return {
    listeners: facts.map(({ process, pid, ...rest }) => ({
      ...rest,
      port: end.number!,
      address: end.address,
      scope,
      ...(process ? { process } : {}),
      ...(pid !== undefined ? { pid } : {}),
    })),
  };
}

const pidOf = (text: string | undefined) => (text !== undefined && DIGITS.test(text) ? Number(text) : undefined);

/** `users:(("sshd",pid=812,fd=3),("sshd",pid=900,fd=3))`: every process holding an ss socket. */
function ssProcesses(rest: string) {
  const found = [...rest.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+)/g)].map((m) => ({
    process: m[1]!,
    pid: Number(m[2]),
  }));
  return found.length > 0 ? found : [{}];
}

function ss(tokens: string[], line: string): Outcome | null {
  let netid: string | undefined;
  let at = 0;
  if (SS_NETIDS.has(tokens[0]!) && SS_STATES.has(tokens[1] ?? '')) {
    netid = tokens[0]!;
    at = 1;
  } else if (!SS_STATES.has(tokens[0]!)) return null;
  const [state, recv, send, localText] = tokens.slice(at);
  if (!DIGITS.test(recv ?? '') || !DIGITS.test(send ?? '') || !localText) return null;
  // Without a Netid column (ss -t or ss -u alone) the state tells the protocol.
  const protocol = netid ?? (state === 'LISTEN' ? 'tcp' : state === 'UNCONN' ? 'udp' : undefined);
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp') return skip('other');
  if (!(state === 'LISTEN' && protocol !== 'udp') && !(state === 'UNCONN' && protocol === 'udp')) {
    return skip(state === 'UNCONN' || state === 'LISTEN' ? 'other' : 'connection');
  }
  const facts = ssProcesses(line).map((p) => ({ ...p, protocol: protocol as Protocol, format: 'ss' as const }));
  return local(localText, ':', facts);
}

function windows(tokens: string[], context: Context): Outcome | null {
  const [proto, localText, foreign, ...rest] = tokens;
  if ((proto !== 'TCP' && proto !== 'UDP') || !localText?.includes(':') || !foreign) return null;
  const protocol = proto === 'TCP' ? 'tcp' : 'udp';
  const far = endpoint(foreign);
  context.windows = [];
  // The state column is translated with Windows ("ABHÖREN", "NASŁUCHIWANIE"); a listener's foreign port is 0.
  if (protocol === 'tcp' ? far?.port !== '0' : foreign !== '*:*') return skip('connection');
  const pid = pidOf(rest.at(-1));
  const outcome = local(localText, ':', [{ protocol, format: 'windows', pid }]);
  if ('listeners' in outcome) context.windows = outcome.listeners;
  return outcome;
}

function netstat(tokens: string[], context: Context): Outcome | null {
  const proto = /^(tcp|udp|raw|udpl)(4|6|46)?$/.exec(tokens[0]!);
  const [, recv, send, localText, foreign, ...after] = tokens;
  if (!proto || !DIGITS.test(recv ?? '') || !DIGITS.test(send ?? '') || !localText || !foreign) return null;
  if (proto[1] !== 'tcp' && proto[1] !== 'udp') return skip('other');
  const protocol = proto[1];
  const separator = portSeparator(localText);
  const format = separator === '.' || proto[2] === '4' || proto[2] === '46' ? 'macos' : 'netstat';
  const farPort = endpoint(foreign, portSeparator(foreign))?.port;
  if (protocol === 'tcp' ? after[0] !== 'LISTEN' : farPort !== '*') {
    return skip(protocol === 'tcp' && (!after[0] || after[0] === 'CLOSED') ? 'other' : 'connection');
  }
  let process: string | undefined;
  let pid: number | undefined;
  if (format === 'netstat') {
    // "PID/Program name", which net-tools cuts to 20 characters and which may hold spaces ("1234/sshd: /usr/sbi").
    const at = after.findIndex((token) => /^\d+\//.test(token));
    if (at >= 0) {
      const [first = '', ...more] = after.slice(at);
      pid = Number(first.slice(0, first.indexOf('/')));
      process = [first.slice(first.indexOf('/') + 1), ...more].join(' ');
    }
  } else if (context.macPid === 'process') {
    const owner = after.map((token) => /^(.+):(\d+)$/.exec(token)).find(Boolean);
    if (owner) [process, pid] = [owner[1], Number(owner[2])];
  } else if (context.macPid !== undefined) {
    // UDP rows leave the (state) column empty, so their columns sit one to the left.
    pid = pidOf(after[protocol === 'tcp' ? context.macPid : context.macPid - 1]);
  }
  return local(localText, separator, [{ protocol, format, process, pid }]);
}

const LSOF = /^(\S+)\s+(\d+)\s+.*\bIPv[46]\b.*?\s(TCP|UDP)\s+(\S+)(?:\s+\(([A-Z_]+)\))?$/;

function lsof(line: string): Outcome | null {
  const found = LSOF.exec(line);
  if (!found) return null;
  const [, command = '', pid, proto, name = '', state] = found;
  const protocol = proto === 'TCP' ? 'tcp' : 'udp';
  if (name.includes('->')) return skip('connection');
  // A TCP socket always has its state in brackets; a line without one was cut short.
  if (protocol === 'tcp' && state !== 'LISTEN') return state ? skip('connection') : unread();
  // lsof writes unprintable characters and spaces in command names as \xNN.
  const process = command
    .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .trim();
  return local(name, ':', [{ protocol, format: 'lsof', process, pid: Number(pid) }]);
}

function powershell(tokens: string[], context: Context): Outcome | null {
  const table = context.powershell;
  if (!table) return null;
  let columns = table.columns;
  // An empty AppliedSetting (every listener's) leaves no token behind.
  if (tokens.length === columns.length - 1 && columns.includes('AppliedSetting')) {
    columns = columns.filter((c) => c !== 'AppliedSetting');
  }
  if (tokens.length !== columns.length) return null;
  // A column title cut short by a narrow console ("OwningPr") still names its column.
  const column = (name: string) => {
    const exact = columns.indexOf(name);
    return exact >= 0 ? exact : columns.findIndex((c) => c.length >= 5 && name.startsWith(c));
  };
  const value = (name: string) => {
    const at = column(name);
    return at >= 0 ? tokens[at] : undefined;
  };
  const address = value('LocalAddress');
  const port = value('LocalPort');
  if (!address || !port || !DIGITS.test(port)) return null;
  const state = value('State');
  if (table.protocol === 'tcp' && state !== undefined && state !== 'Listen') {
    return skip(state === 'Bound' ? 'other' : 'connection');
  }
  const pid = pidOf(value('OwningProcess') ?? value('Id') ?? value('PID'));
  const process = value('ProcessName') ?? value('Process');
  return local(`${address.includes(':') ? `[${address}]` : address}:${port}`, ':', [
    { protocol: table.protocol, format: 'powershell', process, pid },
  ]);
}

/** What the tools print around their rows; returns whether `text` was such a line, adjusting the context. */
function header(text: string, tokens: string[], context: Context): boolean {
  const wrapped = context.afterHeader;
  context.afterHeader = false;
  if (/^(?:Netid\s+)?State\s+Recv-Q\s+Send-Q/i.test(text) || /^COMMAND\s+PID\s/.test(text)) {
    context.otherSection = false;
    context.powershell = undefined;
    return true;
  }
  if (/^Active\s/i.test(text) || /^Registered kernel/i.test(text)) {
    // netstat -a lists Unix, multipath and kernel sockets after the internet ones, each under its title.
    context.otherSection = !/^Active (?:Internet connections|Connections)/i.test(text);
    return true;
  }
  if (/^Proto/i.test(text)) {
    context.powershell = undefined;
    if (text.includes('(state)')) {
      const pid = tokens.indexOf('pid');
      context.macPid = /process:pid/.test(text) ? 'process' : pid > 0 ? pid - tokens.indexOf('(state)') : undefined;
    }
    return true;
  }
  if (tokens.includes('LocalAddress') && tokens.includes('LocalPort')) {
    const tcp = tokens.includes('State') || tokens.includes('RemotePort');
    context.powershell = { columns: tokens, protocol: tcp ? 'tcp' : (context.command ?? 'udp') };
    context.otherSection = false;
    context.afterHeader = true;
    return true;
  }
  // A console narrower than the table wraps its last column title ("OwningPr" / "ocess").
  if (wrapped && tokens.length === 1 && /^[a-z]+$/.test(text)) return true;
  return /^[-\s]{3,}$/.test(text) || /^=+$/.test(text);
}

function read(raw: string, context: Context): Outcome {
  // Pasted from a web page or a chat, a table may arrive with no-break spaces or a byte-order mark.
  const text = raw
    .replace(/[\u00a0\u2007\u202f\t]/g, ' ')
    .replace(/^\ufeff/, '')
    .trim();
  if (!text) return skip('blank');
  if (context.notice) {
    context.notice = !text.endsWith(')');
    return skip('header');
  }
  const tokens = text.split(/\s+/);
  if (header(text, tokens, context)) return skip('header');
  if (context.otherSection) return skip('other');
  const last = context.windows;
  const row = windows(tokens, context);
  if (row) return row;
  context.windows = undefined;
  const other = ss(tokens, text) ?? netstat(tokens, context) ?? lsof(text);
  if (other) return other;
  const command = COMMAND.exec(text);
  if (command || PROMPT.test(text)) {
    const name = command?.[1]?.toLowerCase();
    context.command = name === 'get-netudpendpoint' ? 'udp' : name === 'get-nettcpconnection' ? 'tcp' : undefined;
    if (command) context.powershell = undefined;
    return skip('header');
  }
  if (text.startsWith('(')) {
    context.notice = !text.endsWith(')');
    return skip('header');
  }
  // netstat -b names the program on the lines after its row: a component, then "[program.exe]".
  if (last) {
    const program = /^\[(.+)\]$/.exec(text);
    if (program) {
      for (const listener of last) listener.process ??= program[1]!;
      return skip('header');
    }
    if (tokens.length === 1 || /ownership information/i.test(text)) {
      context.windows = last;
      return skip('header');
    }
  }
  return powershell(tokens, context) ?? unread();
}

/** Every listener in `text`, what was skipped, and each line that could not be read. */
export function parseListeners(text: string): Parsed {
  const parsed: Parsed = {
    listeners: [],
    skipped: { blank: 0, header: 0, connection: 0, other: 0 },
    unread: [],
  };
  const context: Context = { otherSection: false, notice: false, afterHeader: false };
  const lines = text.split(/\r\n|\r|\n/);
  // A trailing newline is not a line of its own.
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const outcome = read(raw, context);
    if ('listeners' in outcome) {
      for (const listener of outcome.listeners) parsed.listeners.push(Object.assign(listener, { line }));
    } else if ('skip' in outcome) parsed.skipped[outcome.skip]++;
    else parsed.unread.push({ line, text: raw.replace(/\s+$/, ''), why: outcome.unread });
  });
  return parsed;
}
