/**
 * IANA's Service Name and Transport Protocol Port Number Registry, from its CSV form: parsing (a real CSV
 * parser; quoted fields hold commas and line breaks), grouping into one entry per port number, and the blocks
 * IANA lists as unassigned or reserved. Plain TypeScript: the content loader, the lookup shards and
 * `npm run registry:update` all use it.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { isProtocol, portNumber, PROTOCOLS } from './ports/number.ts';

export const HEADER = [
  'Service Name',
  'Port Number',
  'Transport Protocol',
  'Description',
  'Assignee',
  'Contact',
  'Registration Date',
  'Modification Date',
  'Reference',
  'Service Code',
  'Unauthorized Use Reported',
  'Assignment Notes',
] as const;

export type Row = Record<(typeof HEADER)[number], string>;

/**
 * One service registered on a port, with every protocol it was registered for. The content layer checks the
 * loaded entries against these schemas (src/content.config.ts); the types below are derived from them.
 */
export const registryServiceSchema = z.strictObject({
  service: z.string().min(1),
  description: z.string().min(1),
  /** Some registrations name no transport protocol. */
  protocols: z.array(z.enum(PROTOCOLS)),
  assignee: z.string().optional(),
  contact: z.string().optional(),
  registered: z.string().optional(),
  modified: z.string().optional(),
  reference: z.string().optional(),
  serviceCode: z.string().optional(),
  unauthorizedUse: z.string().optional(),
  notes: z.string().optional(),
});

/** Every service IANA has assigned to one port number. */
export const registryEntrySchema = z.strictObject({
  port: portNumber,
  services: z.array(registryServiceSchema).min(1),
});

/** A block of numbers IANA lists without a service. */
export const registryGapSchema = z.strictObject({
  first: portNumber,
  last: portNumber,
  label: z.enum(['Unassigned', 'Reserved']),
});

export type RegistryService = z.infer<typeof registryServiceSchema>;
export type RegistryEntry = z.infer<typeof registryEntrySchema>;

export type GapLabel = 'Unassigned' | 'Reserved';
export type Gap = [first: number, last: number, label: GapLabel];

export interface Registry {
  rows: number;
  entries: RegistryEntry[];
  gaps: Gap[];
}

export class RegistryFormatError extends Error {}

/** Parses the CSV, refusing anything that is not IANA's shape: a wrong header, or a row with missing fields. */
export function parseRows(csv: string): Row[] {
  let records: string[][];
  try {
    const parsed: unknown = parse(csv, { relax_column_count: false, skip_empty_lines: true, bom: true });
    records = parsed as string[][];
  } catch (error) {
    throw new RegistryFormatError(`not a well-formed CSV file: ${(error as Error).message}`, { cause: error });
  }
  const [header, ...body] = records;
  if (!header || header.join(',') !== HEADER.join(',')) {
    throw new RegistryFormatError(
      `unexpected header: expected "${HEADER.join(',')}", got "${header?.join(',') ?? ''}"`,
    );
  }
  return body.map((record, i) => {
    if (record.length !== HEADER.length)
      throw new RegistryFormatError(`row ${i + 2} has ${record.length} fields, not ${HEADER.length}`);
    return Object.fromEntries(HEADER.map((name, j) => [name, record[j]!.trim()])) as Row;
  });
}

const optional = (value: string) => (value ? value : undefined);

function portsOf(field: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(field);
  if (!match) return undefined;
  const first = Number(match[1]);
  return [first, match[2] === undefined ? first : Number(match[2])];
}

export function buildRegistry(rows: readonly Row[]): Registry {
  const byPort = new Map<number, Map<string, RegistryService>>();
  const gaps: Gap[] = [];
  for (const row of rows) {
    const ports = portsOf(row['Port Number']);
    if (!ports) continue; // DNS-SD service names without a port
    const name = row['Service Name'];
    if (!name) {
      // No service: the numbers are unassigned or reserved (also "De-registered", "Removed").
      const label: GapLabel = /^unassigned$/i.test(row.Description) ? 'Unassigned' : 'Reserved';
      gaps.push([ports[0], ports[1], label]);
      continue;
    }
    const protocol = row['Transport Protocol'].toLowerCase();
    for (let port = ports[0]; port <= ports[1]; port++) {
      const services = byPort.get(port) ?? new Map<string, RegistryService>();
      byPort.set(port, services);
      const known = services.get(name);
      if (known) {
        if (isProtocol(protocol) && !known.protocols.includes(protocol)) known.protocols.push(protocol);
        continue;
      }
      const service: RegistryService = {
        service: name,
        description: row.Description || name,
        protocols: isProtocol(protocol) ? [protocol] : [],
      };
      const fields: [keyof RegistryService, string][] = [
        ['assignee', row.Assignee],
        ['contact', row.Contact],
        ['registered', row['Registration Date']],
        ['modified', row['Modification Date']],
        ['reference', row.Reference],
        ['serviceCode', row['Service Code']],
        ['unauthorizedUse', row['Unauthorized Use Reported']],
        ['notes', row['Assignment Notes']],
      ];
      for (const [key, value] of fields) {
        const text = optional(value);
        if (text !== undefined) (service as unknown as Record<string, string>)[key] = text;
      }
      services.set(name, service);
    }
  }
  const entries = [...byPort]
    .sort(([a], [b]) => a - b)
    .map(([port, services]) => ({
      port,
      services: [...services.values()].map((s) => ({
        ...s,
        protocols: PROTOCOLS.filter((p) => s.protocols.includes(p)),
      })),
    }));
  // A number with a service is never a gap, even if another row calls it reserved for some protocol.
  const assigned = new Set(entries.map((e) => e.port));
  return {
    rows: rows.length,
    entries,
    gaps: mergeGaps(gaps).filter(([first, last]) => first !== last || !assigned.has(first)),
  };
}

/** IANA lists tcp and udp rows of the same block separately; one lookup needs each block once. */
function mergeGaps(gaps: Gap[]): Gap[] {
  const seen = new Map<string, Gap>();
  for (const gap of gaps) seen.set(`${gap[0]}-${gap[1]}`, gap);
  return [...seen.values()].sort((a, b) => a[0] - b[0]);
}

export function parseRegistry(csv: string): Registry {
  return buildRegistry(parseRows(csv));
}

/** What changed between two snapshots, per port and service. */
export interface RegistryDiff {
  added: string[];
  modified: string[];
  removed: string[];
}

export function diffRegistries(before: Registry, after: Registry): RegistryDiff {
  const index = (registry: Registry) =>
    new Map(
      registry.entries.flatMap((e) => e.services.map((s) => [`${e.port} ${s.service}`, JSON.stringify(s)] as const)),
    );
  const a = index(before);
  const b = index(after);
  return {
    added: [...b.keys()].filter((k) => !a.has(k)),
    modified: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
  };
}

const COMPARED = [
  'description',
  'protocols',
  'assignee',
  'contact',
  'registered',
  'modified',
  'reference',
  'unauthorizedUse',
] as const;

/**
 * An article's `iana` must say what IANA's registry says; the build stops at the first field that differs,
 * naming the file, so a page can never contradict the registry snapshot it sits beside.
 */
export function checkAgreement(
  file: string,
  port: number,
  iana: Omit<RegistryService, 'serviceCode' | 'notes'>,
  registry: RegistryEntry | undefined,
): void {
  if (!registry)
    throw new Error(`${file}: port ${port} is not assigned in IANA's registry snapshot, so iana cannot be checked`);
  const service = registry.services.find((s) => s.service === iana.service);
  if (!service) {
    throw new Error(
      `${file}: iana.service is "${iana.service}" but IANA's registry lists port ${port} as ${registry.services.map((s) => `"${s.service}"`).join(', ')}`,
    );
  }
  for (const field of COMPARED) {
    const ours = field === 'protocols' ? [...iana.protocols].sort().join(', ') : iana[field];
    const theirs = field === 'protocols' ? [...service.protocols].sort().join(', ') : service[field];
    if ((ours ?? '') !== (theirs ?? '')) {
      throw new Error(
        `${file}: iana.${field} is ${ours ? `"${ours}"` : 'missing'} but IANA's registry says ${theirs ? `"${theirs}"` : 'nothing'}`,
      );
    }
  }
}
