/**
 * IANA's Service Name and Transport Protocol Port Number Registry, from its CSV form. Every row is kept as IANA
 * gives it — one row per service and protocol, with its own description, people, dates, reference and notes —
 * because rows of one service do differ (14001's UDP row is de-registered while TCP and SCTP are not; port 80's
 * SCTP row has its own assignee and RFC). Rows are then collected per port number: a port has a page when a
 * row assigns it; the numbers no row assigns are gaps, which keep IANA's status and notes for them.
 * Plain TypeScript: the content loader, the lookup shards, the evidence update and `npm run registry:update`
 * all use it.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { isProtocol, PROTOCOLS, type Protocol } from './ports/number.ts';
import { portNumber } from './ports/schema.ts';

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
 * What a row says of its numbers. `assigned` is a live registration; the rest are what IANA writes in the
 * description of rows that assign nothing (and, for `de-registered`, of a named row it withdrew).
 */
export const ROW_STATUSES = ['assigned', 'unassigned', 'reserved', 'de-registered', 'removed', 'deprecated'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];
/** What IANA says of numbers no row assigns. */
export const GAP_STATUSES = ROW_STATUSES.filter((s): s is Exclude<RowStatus, 'assigned'> => s !== 'assigned');

/** One row of IANA's table, as IANA gives it. The content layer checks loaded entries against these schemas. */
export const registryRowSchema = z.strictObject({
  /** IANA's service name; some rows have none. */
  service: z.string().min(1).optional(),
  /** The transport protocol of the row; some rows name none. */
  protocol: z.enum(PROTOCOLS).optional(),
  /** The numbers the row covers: one port, or a range such as x11's 6000–6063. */
  first: portNumber,
  last: portNumber,
  status: z.enum(ROW_STATUSES),
  description: z.string().min(1).optional(),
  assignee: z.string().optional(),
  contact: z.string().optional(),
  registered: z.string().optional(),
  modified: z.string().optional(),
  reference: z.string().optional(),
  serviceCode: z.string().optional(),
  unauthorizedUse: z.string().optional(),
  notes: z.string().optional(),
});
export type RegistryRow = z.infer<typeof registryRowSchema>;

/** Every row IANA lists for one port number that a row assigns. */
export const registryEntrySchema = z.strictObject({
  port: portNumber,
  rows: z.array(registryRowSchema).min(1),
});
export type RegistryEntry = z.infer<typeof registryEntrySchema>;

/** Numbers no row assigns, with what IANA says of them. */
export const registryGapSchema = z.strictObject({
  first: portNumber,
  last: portNumber,
  status: z.enum(GAP_STATUSES as [Exclude<RowStatus, 'assigned'>]),
  /** IANA's notes on these numbers: what they were, an unauthorised use. */
  notes: z.array(z.string()).default([]),
  /** When IANA last changed them, such as the day of a de-assignment. */
  modified: z.string().optional(),
});
export type RegistryGap = z.infer<typeof registryGapSchema>;
export type GapStatus = RegistryGap['status'];

export interface Registry {
  rows: number;
  entries: RegistryEntry[];
  gaps: RegistryGap[];
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

function portsOf(field: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(field);
  if (!match) return undefined;
  const first = Number(match[1]);
  return [first, match[2] === undefined ? first : Number(match[2])];
}

/**
 * What a row says of its numbers, read from its description as IANA writes it ("Unassigned", "Reserved",
 * "De-registered", "Removed", "De-Commissioned Port", "(unassigned) Possibly assigned"). A row without a
 * service name whose description says none of these ("any private mail system") assigns its numbers all the
 * same; a named row is assigned unless IANA has de-registered it.
 */
export function statusOf(service: string, description: string): RowStatus {
  if (/^de-?registered$/i.test(description)) return 'de-registered';
  if (service) return 'assigned';
  if (/unassigned/i.test(description)) return 'unassigned';
  if (/^reserved/i.test(description)) return 'reserved';
  if (/^de-?registered/i.test(description)) return 'de-registered';
  if (/^removed|de-?comm?issioned/i.test(description)) return 'removed';
  if (/^deprecated/i.test(description)) return 'deprecated';
  return 'assigned';
}

const optional = (value: string) => (value ? value : undefined);

function toRow(row: Row, [first, last]: [number, number]): RegistryRow {
  const protocol = row['Transport Protocol'].toLowerCase();
  const result: RegistryRow = {
    first,
    last,
    status: statusOf(row['Service Name'], row.Description),
  };
  const fields: [keyof RegistryRow, string][] = [
    ['service', row['Service Name']],
    ['description', row.Description],
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
    if (text !== undefined) (result as Record<string, unknown>)[key] = text;
  }
  if (isProtocol(protocol)) result.protocol = protocol;
  return result;
}

/**
 * A port has a page when a row assigns it, or a service was registered on it and since withdrawn: a named row
 * IANA de-registered, or a number the registry's history (`formerly`, src/lib/history/) saw lose its service,
 * whose own row now says only "Reserved".
 */
const givesPage = (row: RegistryRow, formerly: ReadonlySet<number>) =>
  row.status === 'assigned' || row.service !== undefined || (row.first === row.last && formerly.has(row.first));

/** What a gap row adds to its numbers, in IANA's words: its notes, an unauthorised use, its last change. */
function gapNotes(row: RegistryRow): string[] {
  const notes: string[] = [];
  if (row.description && !/^(unassigned|reserved|de-?registered|removed|deprecated)$/i.test(row.description)) {
    notes.push(row.description);
  }
  if (row.notes) notes.push(row.notes);
  if (row.unauthorizedUse) {
    notes.push(/^yes$/i.test(row.unauthorizedUse) ? 'Unauthorized use reported' : row.unauthorizedUse);
  }
  return notes;
}

export function buildRegistry(rows: readonly Row[], formerly: ReadonlySet<number> = new Set()): Registry {
  const byPort = new Map<number, RegistryRow[]>();
  const pending: RegistryRow[] = [];
  for (const raw of rows) {
    const ports = portsOf(raw['Port Number']);
    if (!ports) continue; // DNS-SD service names without a port
    const row = toRow(raw, ports);
    pending.push(row);
    if (!givesPage(row, formerly)) continue;
    for (let port = ports[0]; port <= ports[1]; port++) byPort.set(port, byPort.get(port) ?? []);
  }
  // A second pass, so a port's entry holds every row about it, the reserved UDP row of an assigned TCP port too.
  const gapRows: RegistryRow[] = [];
  for (const row of pending) {
    let covered = false;
    for (let port = row.first; port <= row.last; port++) {
      const list = byPort.get(port);
      if (list) {
        list.push(row);
        covered = true;
      }
    }
    if (!covered && row.status !== 'assigned') gapRows.push(row);
  }
  const entries = [...byPort].sort(([a], [b]) => a - b).map(([port, list]) => ({ port, rows: list }));
  return { rows: rows.length, entries, gaps: mergeGaps(gapRows) };
}

/** IANA lists the TCP and UDP rows of a block separately; a lookup needs each block once, with all its notes. */
function mergeGaps(rows: RegistryRow[]): RegistryGap[] {
  const seen = new Map<string, RegistryGap>();
  for (const row of rows) {
    const key = `${row.first}-${row.last}`;
    const gap = seen.get(key);
    const notes = gapNotes(row);
    if (!gap) {
      const fresh: RegistryGap = { first: row.first, last: row.last, status: row.status as GapStatus, notes };
      if (row.modified) fresh.modified = row.modified;
      seen.set(key, fresh);
      continue;
    }
    if (row.modified && (!gap.modified || row.modified > gap.modified)) gap.modified = row.modified;
    // "Reserved" wins over "Unassigned" when IANA says both of one block for different protocols.
    if (gap.status === 'unassigned' && row.status !== 'unassigned') gap.status = row.status as GapStatus;
    for (const note of notes) if (!gap.notes.includes(note)) gap.notes.push(note);
  }
  return [...seen.values()].sort((a, b) => a.first - b.first);
}

export function parseRegistry(csv: string, formerly?: ReadonlySet<number>): Registry {
  return buildRegistry(parseRows(csv), formerly);
}

/**
 * Rows that say the same apart from their protocol, shown as one registration with its protocols listed
 * ("TCP, UDP"); rows that differ in anything else stay apart. The order is IANA's.
 */
export interface Registration extends Omit<RegistryRow, 'protocol'> {
  protocols: Protocol[];
}

export function registrations(rows: readonly RegistryRow[]): Registration[] {
  const groups = new Map<string, Registration>();
  // Rows that differ only in how IANA indented a note (80's www-http over TCP and UDP) are one registration.
  const same = (value: unknown) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : value);
  for (const { protocol, ...rest } of rows) {
    const key = JSON.stringify(
      Object.entries(rest)
        .map(([name, value]) => [name, same(value)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    const group = groups.get(key);
    if (group) {
      if (protocol && !group.protocols.includes(protocol)) group.protocols.push(protocol);
    } else {
      groups.set(key, { ...rest, protocols: protocol ? [protocol] : [] });
    }
  }
  return [...groups.values()].map((g) => ({ ...g, protocols: PROTOCOLS.filter((p) => g.protocols.includes(p)) }));
}

/** The registrations that assign the port now, without the rows IANA withdrew or reserves. */
export const liveRegistrations = (rows: readonly RegistryRow[]) =>
  registrations(rows.filter((row) => row.status === 'assigned'));

/** What changed between two snapshots, per port and service. */
export interface RegistryDiff {
  added: string[];
  modified: string[];
  removed: string[];
}

export function diffRegistries(before: Registry, after: Registry): RegistryDiff {
  const index = (registry: Registry) => {
    const map = new Map<string, string>();
    for (const entry of registry.entries) {
      for (const row of entry.rows) {
        if (!row.service || row.status !== 'assigned') continue;
        const key = `${entry.port} ${row.service}`;
        map.set(key, `${map.get(key) ?? ''}${JSON.stringify(row)}`);
      }
    }
    return map;
  };
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

/** What an article may state of its registration (its `iana` block), in the registry's own terms. */
export type StatedRegistration = Pick<Registration, 'service' | 'protocols'> &
  Partial<Pick<Registration, (typeof COMPARED)[number]>> & { service: string; description: string };

/**
 * An article's `iana` must say what IANA's registry says; the build stops at the first field that differs,
 * naming the file, so a page can never contradict the registry snapshot it sits beside. A service whose rows
 * differ by protocol cannot be summed up in one `iana` block; the article must then leave it out.
 */
export function checkAgreement(
  file: string,
  port: number,
  iana: StatedRegistration,
  registry: RegistryEntry | undefined,
): void {
  if (!registry)
    throw new Error(`${file}: port ${port} is not assigned in IANA's registry snapshot, so iana cannot be checked`);
  const groups = liveRegistrations(registry.rows).filter((g) => g.service === iana.service);
  if (groups.length === 0) {
    const names = [...new Set(registry.rows.flatMap((r) => (r.service ? [`"${r.service}"`] : [])))];
    throw new Error(
      `${file}: iana.service is "${iana.service}" but IANA's registry lists port ${port} as ${names.join(', ')}`,
    );
  }
  if (groups.length > 1) {
    throw new Error(
      `${file}: IANA's rows for "${iana.service}" on port ${port} differ by protocol; leave iana out and the page shows each row`,
    );
  }
  const service = groups[0]!;
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
