/**
 * Evidence that a port is in use, from three sources outside the IANA registry: how often Nmap found the port
 * open, the ports Wireshark decodes by default, and Debian's /etc/services. Parsers turn each source's raw format
 * into rows, `reduceNmapServices` cuts Nmap's table down to the facts the project may vendor, `toCsv` writes the
 * extracts in content/evidence/, and `readEvidence` turns those extracts into a per-port lookup for the build.
 * Plain TypeScript with no Astro imports: the build, `npm run evidence:update` and the unit tests all use it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { isPort, isProtocol, PROTOCOLS, type Protocol } from './ports/number.ts';
import type { Registry } from './registry.ts';

/** Nmap scans only these; its table also names ports for protocols it cannot scan, which are dropped. */
export const NMAP_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type NmapProtocol = (typeof NMAP_PROTOCOLS)[number];

/**
 * A line of the raw `nmap-services` file. Only the update script sees these, on a maintainer's machine: the
 * service names are Nmap's and are not vendored (content/evidence/README.md, "Licence decision").
 */
export interface NmapServiceRow {
  port: number;
  protocol: NmapProtocol;
  service: string;
  /** As Nmap prints it: rounding it through a float would invent precision the source never had. */
  frequency: string;
}

/** The vendored reduction of `nmap-services`: a measured fact about an IANA-assigned port, nothing of Nmap's own. */
export interface NmapFrequencyRow {
  port: number;
  protocol: NmapProtocol;
  frequency: string;
}

export interface DecodeRow {
  port: number;
  protocol: Protocol;
  dissector: string;
}

export interface NetbaseRow {
  port: number;
  protocol: Protocol;
  service: string;
}

export interface ExtractRows {
  nmapFrequencies: NmapFrequencyRow;
  wireshark: DecodeRow;
  netbase: NetbaseRow;
}
export type ExtractName = keyof ExtractRows;

export const EXTRACT_NAMES = ['nmapFrequencies', 'wireshark', 'netbase'] as const satisfies ExtractName[];

export const EXTRACT_FILES: Record<ExtractName, string> = {
  nmapFrequencies: 'nmap-frequencies.csv',
  wireshark: 'wireshark-decodes.csv',
  netbase: 'netbase-services.csv',
};

export const EXTRACT_HEADERS = {
  nmapFrequencies: ['port', 'protocol', 'frequency'],
  wireshark: ['port', 'protocol', 'dissector'],
  netbase: ['port', 'protocol', 'service'],
} as const satisfies Record<ExtractName, readonly string[]>;

export class EvidenceFormatError extends Error {}

const fail = (source: string, line: number, message: string): never => {
  throw new EvidenceFormatError(`${source}, line ${line}: ${message}`);
};

const FREQUENCY = /^\d+(?:\.\d+)?$/;
const PORT_PROTOCOL = /^(\d+)\/([a-z0-9]+)$/i;

const isNmapProtocol = (value: string): value is NmapProtocol => (NMAP_PROTOCOLS as readonly string[]).includes(value);

function portNumber(text: string, source: string, line: number): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!isPort(port)) fail(source, line, `"${text}" is not a port number`);
  return port;
}

/** Both services formats allow a comment after the fields; no service name contains `#`. */
const fieldsOf = (line: string) => {
  const hash = line.indexOf('#');
  const text = hash === -1 ? line : line.slice(0, hash);
  return text.trim() === '' ? [] : text.trim().split(/\s+/);
};

/**
 * `nmap-services`: `name<TAB>port/protocol<TAB>frequency[<TAB># comment]`. Only ports Nmap has seen open
 * (frequency above zero) are kept; a zero just means the name came from IANA.
 */
export function parseNmapServices(text: string): NmapServiceRow[] {
  const rows: NmapServiceRow[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = fieldsOf(raw);
    if (fields.length === 0) return;
    const [service, portProtocol, frequency] = fields;
    if (!portProtocol || !frequency)
      return fail('nmap-services', i + 1, 'expected a name, port/protocol and frequency');
    const match = PORT_PROTOCOL.exec(portProtocol);
    if (!match) return fail('nmap-services', i + 1, `"${portProtocol}" is not port/protocol`);
    if (!FREQUENCY.test(frequency)) return fail('nmap-services', i + 1, `"${frequency}" is not a frequency`);
    const port = Number(match[1]);
    const protocol = match[2]!.toLowerCase();
    if (!isPort(port) || !isNmapProtocol(protocol) || Number(frequency) === 0) return;
    rows.push({ port, protocol, service: service!, frequency });
  });
  return rows;
}

/**
 * The part of Nmap's table the project may vendor: for each port number IANA has assigned, the frequency Nmap
 * measured on each protocol. IANA's list does the selecting, so the result is not a copy of Nmap's selection,
 * and Nmap's names and comments stay behind. Should a port/protocol occur twice, the higher frequency wins.
 */
export function reduceNmapServices(
  rows: readonly NmapServiceRow[],
  registry: Pick<Registry, 'entries'>,
): NmapFrequencyRow[] {
  const assigned = new Set(registry.entries.map((entry) => entry.port));
  const kept = new Map<string, NmapFrequencyRow>();
  for (const { port, protocol, frequency } of rows) {
    if (!assigned.has(port) || Number(frequency) === 0) continue;
    const key = `${port}/${protocol}`;
    const known = kept.get(key);
    if (!known || Number(frequency) > Number(known.frequency)) kept.set(key, { port, protocol, frequency });
  }
  return [...kept.values()];
}

const DECODE_TABLES: Record<string, Protocol> = {
  'tcp.port': 'tcp',
  'udp.port': 'udp',
  'sctp.port': 'sctp',
  'dccp.port': 'dccp',
};

/**
 * `tshark -G decodes`: `table<TAB>selector<TAB>dissector`, one line per default registration. Only the
 * transport port tables say anything about ports; the rest (ethertype, sctp.ppi, …) are skipped.
 * Preferences can move a dissector's ports, so the update script runs tshark with an empty profile.
 */
export function parseDecodes(text: string): DecodeRow[] {
  const rows: DecodeRow[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const [table, selector, dissector, ...extra] = raw.replace(/\r$/, '').split('\t');
    const protocol = table === undefined ? undefined : DECODE_TABLES[table];
    if (!protocol) return;
    if (selector === undefined || !dissector || extra.length > 0) {
      return fail('tshark -G decodes', i + 1, 'expected table, port and dissector separated by tabs');
    }
    const port = portNumber(selector, 'tshark -G decodes', i + 1);
    // Port 0 is how a dissector offers itself for "Decode As" without claiming a default port (tsdns, wg).
    if (port === 0) return;
    const row: DecodeRow = { port, protocol, dissector };
    const key = rowKey('wireshark', row);
    if (seen.has(key)) return;
    seen.add(key);
    rows.push(row);
  });
  return rows;
}

/**
 * `/etc/services`: `name port/protocol [aliases…] [# comment]`. Aliases are dropped (the extract records which
 * names Debian knows, not every spelling), and so are protocols IANA does not assign, such as AppleTalk's `ddp`.
 */
export function parseEtcServices(text: string): NetbaseRow[] {
  const rows: NetbaseRow[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = fieldsOf(raw);
    if (fields.length === 0) return;
    const [service, portProtocol] = fields;
    const match = portProtocol === undefined ? null : PORT_PROTOCOL.exec(portProtocol);
    if (!match) return fail('/etc/services', i + 1, `expected "name port/protocol", got "${raw.trim()}"`);
    const protocol = match[2]!.toLowerCase();
    if (!isProtocol(protocol)) return;
    rows.push({ port: portNumber(match[1]!, '/etc/services', i + 1), protocol, service: service! });
  });
  return rows;
}

// --- Extract CSV files ---------------------------------------------------------------------------------------

/** Every extract is `port,protocol,value`; only the meaning of the value differs. */
type Cells = [port: string, protocol: string, value: string];

function cellsOf<K extends ExtractName>(name: K, row: ExtractRows[K]): Cells {
  const value =
    name === 'nmapFrequencies'
      ? (row as NmapFrequencyRow).frequency
      : name === 'wireshark'
        ? (row as DecodeRow).dissector
        : (row as NetbaseRow).service;
  return [String(row.port), row.protocol, value];
}

/** One line of an extract, as a key: the update script diffs old and new extracts with it. */
export function rowKey<K extends ExtractName>(name: K, row: ExtractRows[K]): string {
  return cellsOf(name, row).join(',');
}

const protocolRank = (protocol: string) => PROTOCOLS.indexOf(protocol as Protocol);

/** By port, then protocol in the site's order (tcp, udp, sctp, dccp), then the value. */
function compareCells(a: Cells, b: Cells): number {
  return (
    Number(a[0]) - Number(b[0]) || protocolRank(a[1]) - protocolRank(b[1]) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)
  );
}

/** Writes an extract: header row, rows sorted so regenerating from the same source gives the same bytes. */
export function toCsv<K extends ExtractName>(name: K, rows: readonly ExtractRows[K][]): string {
  const records = rows.map((row) => cellsOf(name, row)).sort(compareCells);
  return stringify([[...EXTRACT_HEADERS[name]], ...records], { record_delimiter: 'unix' });
}

function rowOf<K extends ExtractName>(name: K, cells: string[], line: number): ExtractRows[K] {
  const file = EXTRACT_FILES[name];
  const [portText, protocol, value] = cells as Cells;
  const allowed: readonly string[] = name === 'nmapFrequencies' ? NMAP_PROTOCOLS : PROTOCOLS;
  if (!allowed.includes(protocol)) fail(file, line, `"${protocol}" is not a protocol this extract can hold`);
  if (value === '') fail(file, line, 'empty field');
  const port = portNumber(portText, file, line);
  if (name === 'nmapFrequencies') {
    if (!FREQUENCY.test(value) || Number(value) === 0) fail(file, line, `"${value}" is not a frequency > 0`);
    const row: NmapFrequencyRow = { port, protocol: protocol as NmapProtocol, frequency: value };
    return row as ExtractRows[K];
  }
  if (name === 'wireshark') {
    const row: DecodeRow = { port, protocol: protocol as Protocol, dissector: value };
    return row as ExtractRows[K];
  }
  const row: NetbaseRow = { port, protocol: protocol as Protocol, service: value };
  return row as ExtractRows[K];
}

/** Reads an extract back, refusing a wrong header, a short row or a value the writer would never produce. */
export function fromCsv<K extends ExtractName>(name: K, csv: string): ExtractRows[K][] {
  const file = EXTRACT_FILES[name];
  const header: readonly string[] = EXTRACT_HEADERS[name];
  let records: string[][];
  try {
    const parsed: unknown = parse(csv, { skip_empty_lines: true, bom: true, relax_column_count: false });
    records = parsed as string[][];
  } catch (error) {
    throw new EvidenceFormatError(`${file}: not a well-formed CSV file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const [first, ...body] = records;
  if (!first || first.join(',') !== header.join(',')) {
    throw new EvidenceFormatError(`${file}: expected header "${header.join(',')}", got "${first?.join(',') ?? ''}"`);
  }
  return body.map((cells, i) => {
    if (cells.length !== header.length) fail(file, i + 2, `${cells.length} fields, not ${header.length}`);
    return rowOf(name, cells, i + 2);
  });
}

// --- Lookup --------------------------------------------------------------------------------------------------

export interface NmapFrequency {
  frequency: number;
  /** The frequency exactly as Nmap prints it, for display. */
  text: string;
}

export interface PortEvidence {
  port: number;
  nmap: Partial<Record<NmapProtocol, NmapFrequency>>;
  wireshark: Partial<Record<Protocol, readonly string[]>>;
  netbase: Partial<Record<Protocol, readonly string[]>>;
}

export interface Evidence {
  /** Every port gets an answer; a port no source mentions gets empty fields, never `undefined`. */
  get(port: number): PortEvidence;
  /** Rows read from each extract. */
  rows: Readonly<Record<ExtractName, number>>;
}

/** The text of each extract, keyed like `EXTRACT_FILES`. */
export type EvidenceFiles = Record<ExtractName, string>;

interface MutablePortEvidence {
  port: number;
  nmap: Partial<Record<NmapProtocol, NmapFrequency>>;
  wireshark: Partial<Record<Protocol, string[]>>;
  netbase: Partial<Record<Protocol, string[]>>;
}

const blank = (port: number): MutablePortEvidence => ({ port, nmap: {}, wireshark: {}, netbase: {} });

/** Indexes the extracts once, so each of the build's thousands of lookups is a single Map read. */
export function readEvidence(files: EvidenceFiles): Evidence {
  const byPort = new Map<number, MutablePortEvidence>();
  const at = (port: number) => {
    let entry = byPort.get(port);
    if (!entry) byPort.set(port, (entry = blank(port)));
    return entry;
  };
  const push = (lists: Partial<Record<Protocol, string[]>>, protocol: Protocol, value: string) => {
    const list = (lists[protocol] ??= []);
    if (!list.includes(value)) list.push(value);
  };

  const nmapFrequencies = fromCsv('nmapFrequencies', files.nmapFrequencies);
  for (const row of nmapFrequencies) {
    const nmap = at(row.port).nmap;
    const frequency = Number(row.frequency);
    const known = nmap[row.protocol];
    if (!known || frequency > known.frequency) nmap[row.protocol] = { frequency, text: row.frequency };
  }
  const wireshark = fromCsv('wireshark', files.wireshark);
  for (const row of wireshark) push(at(row.port).wireshark, row.protocol, row.dissector);
  const netbase = fromCsv('netbase', files.netbase);
  for (const row of netbase) push(at(row.port).netbase, row.protocol, row.service);

  return {
    get: (port) => byPort.get(port) ?? blank(port),
    rows: { nmapFrequencies: nmapFrequencies.length, wireshark: wireshark.length, netbase: netbase.length },
  };
}

/** The vendored extracts, from `content/evidence/` unless told otherwise. */
export function loadEvidence(dir: string | URL = new URL('../../content/evidence/', import.meta.url)): Evidence {
  // A directory URL needs its trailing slash, or file names resolve against its parent.
  const base = typeof dir === 'string' ? pathToFileURL(`${resolve(dir)}/`) : dir;
  const read = (name: ExtractName) => readFileSync(new URL(EXTRACT_FILES[name], base), 'utf8');
  return readEvidence({
    nmapFrequencies: read('nmapFrequencies'),
    wireshark: read('wireshark'),
    netbase: read('netbase'),
  });
}
