/**
 * Evidence that a port is in use, from public port lists outside the IANA registry: how often Nmap found the port
 * open, the ports Wireshark decodes by default, Debian's /etc/services, the services firewalld and Shorewall open,
 * and the default ports of nDPI's traffic classifier. Parsers turn each source's raw format into rows,
 * `reduceNmapServices` cuts Nmap's table down to the facts the project may vendor, `toCsv` writes the extracts in
 * content/evidence/, and `readEvidence` turns those extracts into a per-port lookup for the build.
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
 * Every extract is `port,protocol` followed by the columns named here, one row per port, protocol and value.
 * The lists that name what runs on a port (`firewalld`, `shorewall`, `ndpi`, and Wireshark's dissector with its
 * full name) also feed the known uses (src/lib/uses.ts).
 */
export const EXTRACTS = {
  nmapFrequencies: { file: 'nmap-frequencies.csv', columns: ['frequency'], protocols: NMAP_PROTOCOLS },
  wireshark: { file: 'wireshark-decodes.csv', columns: ['dissector', 'name'], protocols: PROTOCOLS },
  netbase: { file: 'netbase-services.csv', columns: ['service'], protocols: PROTOCOLS },
  firewalld: { file: 'firewalld-services.csv', columns: ['service', 'name'], protocols: PROTOCOLS },
  shorewall: { file: 'shorewall-macros.csv', columns: ['macro', 'description'], protocols: PROTOCOLS },
  ndpi: { file: 'ndpi-protocols.csv', columns: ['name', 'category'], protocols: PROTOCOLS },
} as const;

export type ExtractName = keyof typeof EXTRACTS;
export const EXTRACT_NAMES = Object.keys(EXTRACTS) as ExtractName[];
export const EXTRACT_FILES = Object.fromEntries(EXTRACT_NAMES.map((name) => [name, EXTRACTS[name].file])) as {
  [K in ExtractName]: (typeof EXTRACTS)[K]['file'];
};
export const EXTRACT_HEADERS = Object.fromEntries(
  EXTRACT_NAMES.map((name) => [name, ['port', 'protocol', ...EXTRACTS[name].columns]]),
) as unknown as Record<ExtractName, readonly string[]>;

/** One row of an extract: its port and protocol, then one string per column. */
export type ExtractRow<K extends ExtractName> = {
  port: number;
  protocol: (typeof EXTRACTS)[K]['protocols'][number];
} & Record<(typeof EXTRACTS)[K]['columns'][number], string>;

/** The vendored reduction of `nmap-services`: a measured fact about an IANA-assigned port, nothing of Nmap's own. */
export type NmapFrequencyRow = ExtractRow<'nmapFrequencies'>;
export type DecodeRow = ExtractRow<'wireshark'>;
export type NetbaseRow = ExtractRow<'netbase'>;
export type FirewalldRow = ExtractRow<'firewalld'>;
export type ShorewallRow = ExtractRow<'shorewall'>;
export type NdpiRow = ExtractRow<'ndpi'>;

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

export class EvidenceFormatError extends Error {}

const fail = (source: string, line: number, message: string): never => {
  throw new EvidenceFormatError(`${source}, line ${line}: ${message}`);
};

const FREQUENCY = /^\d+(?:\.\d+)?$/;
const PORT_PROTOCOL = /^(\d+)\/([a-z0-9]+)$/i;
/** A list may give a range of ports for one service; larger ones are dynamic or per-instance ranges, not defaults. */
export const MAX_LISTED_RANGE = 100;

const isNmapProtocol = (value: string): value is NmapProtocol => (NMAP_PROTOCOLS as readonly string[]).includes(value);

function portNumber(text: string, source: string, line: number): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!isPort(port)) fail(source, line, `"${text}" is not a port number`);
  return port;
}

/** `80`, `1714-1764` or `1714:1764` as the port numbers they cover; undefined for a range too wide to be a default. */
function portRange(text: string, source: string, line: number): number[] | undefined {
  const [low = '', high = low] = text.split(/[-:]/);
  const first = portNumber(low, source, line);
  const last = portNumber(high, source, line);
  if (last < first) fail(source, line, `"${text}" is not a port range`);
  if (last - first + 1 > MAX_LISTED_RANGE) return undefined;
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
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
 * `tshark -G protocols`: `full name<TAB>short name<TAB>filter name<TAB>…`, as a map from the filter name (which
 * is the dissector name `-G decodes` prints) to the protocol's full name ("kafka" → "Kafka").
 */
export function parseProtocolNames(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const [full, , filter] = raw.replace(/\r$/, '').split('\t');
    if (full && filter) names.set(filter, full);
  }
  return names;
}

/**
 * `tshark -G decodes`: `table<TAB>selector<TAB>dissector`, one line per default registration. Only the
 * transport port tables say anything about ports; the rest (ethertype, sctp.ppi, …) are skipped.
 * Preferences can move a dissector's ports, so the update script runs tshark with an empty profile. `names`
 * (from `tshark -G protocols`) gives each dissector its full name; without one the dissector name stands.
 */
export function parseDecodes(text: string, names: ReadonlyMap<string, string> = new Map()): DecodeRow[] {
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
    const row: DecodeRow = { port, protocol, dissector, name: names.get(dissector) ?? dissector };
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

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name]!);
const attributes = (tag: string) =>
  Object.fromEntries([...tag.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)].map((m) => [m[1]!, unescapeXml(m[2]!)]));

/**
 * One firewalld service definition (`/usr/lib/firewalld/services/<service>.xml`): its `<short>` name and every
 * `<port protocol="…" port="…"/>`. firewalld's own schema keeps these files flat, so a tag-level reading is
 * enough; a file without a `<service>` root is refused. Ranges wider than MAX_LISTED_RANGE (dynamic RPC ports,
 * guest consoles) are not a service's default ports and are left out.
 */
export function parseFirewalldService(service: string, xml: string): FirewalldRow[] {
  const source = `firewalld service ${service}.xml`;
  if (!/<service[\s>]/.test(xml)) fail(source, 1, 'not a firewalld service definition');
  const name = unescapeXml(/<short>([^<]*)<\/short>/.exec(xml)?.[1]?.trim() ?? '') || service;
  const rows: FirewalldRow[] = [];
  for (const match of xml.matchAll(/<port\b([^>]*)\/?>/g)) {
    const line = xml.slice(0, match.index).split('\n').length;
    const { port, protocol } = attributes(match[1]!);
    if (port === undefined || !protocol) fail(source, line, 'a <port> needs both port and protocol');
    // IP protocols without ports (`ah`, `esp`: port="") have nothing to say about port numbers.
    if (!isProtocol(protocol!) || port === '') continue;
    for (const number of portRange(port!, source, line) ?? []) rows.push({ port: number, protocol, service, name });
  }
  return rows;
}

/**
 * One Shorewall macro (`/usr/share/shorewall/macro.<Name>`): its first comment line after the path says what it
 * handles ("This macro handles Puppet …"), and each rule's PROTO and DPORT columns give the ports. Rules that
 * name another macro, a protocol number or no destination port add nothing here.
 */
export function parseShorewallMacro(macro: string, text: string): ShorewallRow[] {
  const source = `shorewall macro.${macro}`;
  const handles = /^#\s*This macro (?:handles|is for)\s+(.+?)\.?\s*$/im.exec(text)?.[1];
  const description = handles ? handles.replace(/\s+/g, ' ') : macro;
  const rows = new Map<string, ShorewallRow>();
  text.split('\n').forEach((raw, i) => {
    const fields = fieldsOf(raw);
    if (fields.length < 5 || fields[0]!.startsWith('?')) return;
    const [, , , proto = '', dport = ''] = fields;
    const protocol = proto.toLowerCase();
    if (!isProtocol(protocol) || dport === '-') return;
    for (const part of dport.split(',')) {
      if (!/^\d+(?::\d+)?$/.test(part)) continue;
      // A macro often has the same port twice (one rule per direction); the extract records it once.
      for (const port of portRange(part, source, i + 1) ?? [])
        rows.set(`${port}/${protocol}`, { port, protocol, macro, description });
    }
  });
  return [...rows.values()];
}

/**
 * The output of the nDPI helper (src/cli/ndpi-default-ports.c): `name<TAB>protocol<TAB>port<TAB>category`, one
 * line per default port the library registers for a protocol it detects.
 */
export function parseNdpiPorts(text: string): NdpiRow[] {
  const rows: NdpiRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const [name, protocol, port, category, ...extra] = raw.replace(/\r$/, '').split('\t');
    if (!name || !protocol || !port || !category || extra.length > 0) {
      return fail('nDPI default ports', i + 1, 'expected name, protocol, port and category separated by tabs');
    }
    if (!isProtocol(protocol)) return fail('nDPI default ports', i + 1, `"${protocol}" is not a protocol`);
    rows.push({ port: portNumber(port, 'nDPI default ports', i + 1), protocol, name, category });
  });
  return rows;
}

// --- Extract CSV files ---------------------------------------------------------------------------------------

type AnyRow = { port: number; protocol: string } & Record<string, string | number>;

function cellsOf(name: ExtractName, row: AnyRow): string[] {
  return [String(row.port), row.protocol, ...EXTRACTS[name].columns.map((column) => String(row[column]))];
}

/** One line of an extract, as a key: the update script diffs old and new extracts with it. */
export function rowKey<K extends ExtractName>(name: K, row: ExtractRow<K>): string {
  return cellsOf(name, row).join(',');
}

const protocolRank = (protocol: string) => PROTOCOLS.indexOf(protocol as Protocol);

/** By port, then protocol in the site's order (tcp, udp, sctp, dccp), then the remaining columns. */
function compareCells(a: string[], b: string[]): number {
  const byPort = Number(a[0]) - Number(b[0]) || protocolRank(a[1]!) - protocolRank(b[1]!);
  if (byPort !== 0) return byPort;
  for (let i = 2; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** Writes an extract: header row, rows sorted so regenerating from the same source gives the same bytes. */
export function toCsv<K extends ExtractName>(name: K, rows: readonly ExtractRow<K>[]): string {
  const records = rows.map((row) => cellsOf(name, row as unknown as AnyRow)).sort(compareCells);
  return stringify([[...EXTRACT_HEADERS[name]], ...records], { record_delimiter: 'unix' });
}

function rowOf<K extends ExtractName>(name: K, cells: string[], line: number): ExtractRow<K> {
  const { file, columns, protocols } = EXTRACTS[name];
  const [portText = '', protocol = '', ...values] = cells;
  if (!(protocols as readonly string[]).includes(protocol)) {
    fail(file, line, `"${protocol}" is not a protocol this extract can hold`);
  }
  if (values.some((value) => value === '')) fail(file, line, 'empty field');
  const port = portNumber(portText, file, line);
  if (name === 'nmapFrequencies' && (!FREQUENCY.test(values[0]!) || Number(values[0]) === 0)) {
    fail(file, line, `"${values[0]}" is not a frequency > 0`);
  }
  const row: AnyRow = { port, protocol };
  columns.forEach((column, i) => (row[column] = values[i]!));
  return row as unknown as ExtractRow<K>;
}

/** Reads an extract back, refusing a wrong header, a short row or a value the writer would never produce. */
export function fromCsv<K extends ExtractName>(name: K, csv: string): ExtractRow<K>[] {
  const file = EXTRACT_FILES[name];
  const header = EXTRACT_HEADERS[name];
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

// --- Provenance ----------------------------------------------------------------------------------------------

/** Where an extract came from, as `npm run evidence:update` records it in content/evidence/sources.json. */
export interface ExtractSource {
  /** The Debian package read, e.g. `nmap-common`. */
  package: string;
  /** Its version, from dpkg, e.g. `7.93+dfsg1-1`. */
  version: string;
  /** The day the extract was generated, YYYY-MM-DD. */
  generated: string;
  /** What was read: a file, a folder or a command's output. */
  origin: string;
  /** sha256 of the raw source text. */
  sha256: string;
  rows: number;
}

export type ExtractSources = Record<ExtractName, ExtractSource>;
export const SOURCES_FILE = 'sources.json';

// --- Lookup --------------------------------------------------------------------------------------------------

export interface NmapFrequency {
  frequency: number;
  /** The frequency exactly as Nmap prints it, for display. */
  text: string;
}

/** A port list that names what runs on the port. */
export type ListName = 'firewalld' | 'shorewall' | 'ndpi' | 'wireshark';

/** One list's entry for the port: the service, macro, protocol or dissector (`key`) and its readable name. */
export interface Listing {
  list: ListName;
  protocol: Protocol;
  key: string;
  name: string;
}

export interface PortEvidence {
  port: number;
  nmap: Partial<Record<NmapProtocol, NmapFrequency>>;
  wireshark: Partial<Record<Protocol, readonly string[]>>;
  netbase: Partial<Record<Protocol, readonly string[]>>;
  /** What firewalld, Shorewall, nDPI and Wireshark name on the port, in that order. */
  listed: readonly Listing[];
}

export interface Evidence {
  /** Every port gets an answer; a port no source mentions gets empty fields, never `undefined`. */
  get(port: number): PortEvidence;
  /** Rows read from each extract. */
  rows: Readonly<Record<ExtractName, number>>;
  /** Every listing of each list, for the known uses that span several ports. */
  listings: readonly (Listing & { port: number })[];
  /** Package, version and date of each extract; undefined when read from texts without a sources.json. */
  sources: ExtractSources | undefined;
}

/** The text of each extract, keyed like `EXTRACT_FILES`, and optionally sources.json. */
export type EvidenceFiles = Record<ExtractName, string> & { sources?: string };

interface MutablePortEvidence {
  port: number;
  nmap: Partial<Record<NmapProtocol, NmapFrequency>>;
  wireshark: Partial<Record<Protocol, string[]>>;
  netbase: Partial<Record<Protocol, string[]>>;
  listed: Listing[];
}

const blank = (port: number): MutablePortEvidence => ({ port, nmap: {}, wireshark: {}, netbase: {}, listed: [] });

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
  const listings: (Listing & { port: number })[] = [];
  const list = (port: number, listing: Listing) => {
    at(port).listed.push(listing);
    listings.push({ port, ...listing });
  };

  const nmapFrequencies = fromCsv('nmapFrequencies', files.nmapFrequencies);
  for (const row of nmapFrequencies) {
    const nmap = at(row.port).nmap;
    const frequency = Number(row.frequency);
    const known = nmap[row.protocol];
    if (!known || frequency > known.frequency) nmap[row.protocol] = { frequency, text: row.frequency };
  }
  const netbase = fromCsv('netbase', files.netbase);
  for (const row of netbase) push(at(row.port).netbase, row.protocol, row.service);
  const firewalld = fromCsv('firewalld', files.firewalld);
  for (const row of firewalld)
    list(row.port, { list: 'firewalld', protocol: row.protocol, key: row.service, name: row.name });
  const shorewall = fromCsv('shorewall', files.shorewall);
  for (const row of shorewall) {
    list(row.port, { list: 'shorewall', protocol: row.protocol, key: row.macro, name: row.description });
  }
  const ndpi = fromCsv('ndpi', files.ndpi);
  for (const row of ndpi) list(row.port, { list: 'ndpi', protocol: row.protocol, key: row.name, name: row.category });
  const wireshark = fromCsv('wireshark', files.wireshark);
  for (const row of wireshark) {
    push(at(row.port).wireshark, row.protocol, row.dissector);
    list(row.port, { list: 'wireshark', protocol: row.protocol, key: row.dissector, name: row.name });
  }

  return {
    get: (port) => byPort.get(port) ?? blank(port),
    rows: {
      nmapFrequencies: nmapFrequencies.length,
      wireshark: wireshark.length,
      netbase: netbase.length,
      firewalld: firewalld.length,
      shorewall: shorewall.length,
      ndpi: ndpi.length,
    },
    listings,
    sources: files.sources === undefined ? undefined : (JSON.parse(files.sources) as ExtractSources),
  };
}

/** The vendored extracts, from `content/evidence/` unless told otherwise. */
export function loadEvidence(dir: string | URL = new URL('../../content/evidence/', import.meta.url)): Evidence {
  // A directory URL needs its trailing slash, or file names resolve against its parent.
  const base = typeof dir === 'string' ? pathToFileURL(`${resolve(dir)}/`) : dir;
  const read = (file: string) => readFileSync(new URL(file, base), 'utf8');
  const files = Object.fromEntries(EXTRACT_NAMES.map((name) => [name, read(EXTRACT_FILES[name])])) as EvidenceFiles;
  return readEvidence({ ...files, sources: read(SOURCES_FILE) });
}
