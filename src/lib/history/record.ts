/**
 * The registry's history as the project keeps it (content/registry/history.csv): one line per version of IANA's
 * CSV that was compared, and one line per fact that changed between a version and the one before it. Rows are
 * keyed by service name, port number and protocol, so a rename is a row leaving and another arriving.
 *
 *   date,kind,port,protocol,service,field,from,to
 *   2017-05-24,version,,,,,,iana-tracker 5b1e9d3a       a version, first seen on that day, and where it came from
 *   2017-05-24,added,4307,tcp,trueconf,,,               a row that was not in the version before
 *   2017-05-24,removed,4307,tcp,visicron-vs,assignee,[Alexey_Vlaskin],
 *                                                       a row that left, one line per field it had (its last values)
 *   2019-08-15,changed,2459,tcp,xrpl,modified,,2019-08-09
 *                                                       one field of a row in both versions, from → to
 *
 * A row with no `added` line was already in the first version. The values an added row had are not repeated:
 * they are in the current snapshot, or in the lines that later change or remove it, so the record can be read
 * backwards from the snapshot to any version. Plain TypeScript: the build, the CLI and the tests use it.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** The facts of a row that are compared, as `src/lib/registry.ts` names them. */
export const TRACKED = [
  'description',
  'assignee',
  'contact',
  'registered',
  'modified',
  'reference',
  'serviceCode',
  'unauthorizedUse',
  'notes',
] as const;
export type TrackedField = (typeof TRACKED)[number];
export const isTracked = (value: string): value is TrackedField => (TRACKED as readonly string[]).includes(value);

export const RECORD_HEADER = ['date', 'kind', 'port', 'protocol', 'service', 'field', 'from', 'to'] as const;

export const EVENT_KINDS = ['added', 'removed', 'changed'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One version of IANA's file that the record compares. */
export interface Version {
  /** When it was first seen (fetched), YYYY-MM-DD: IANA made its changes on or before this day. */
  date: string;
  /** Where it came from, e.g. `iana-tracker d23e7a99` or `iana.org`. */
  source: string;
}

/** One fact of a step between two versions. */
export interface HistoryEvent {
  /** The version in which it was first seen. */
  date: string;
  kind: EventKind;
  port: number;
  /** `tcp`, `udp`, `sctp`, `dccp`, or empty for the few named rows without one. */
  protocol: string;
  service: string;
  /** For `changed`, the field; for `removed`, the field whose last value `from` holds. */
  field?: TrackedField;
  from?: string;
  to?: string;
}

export interface History {
  /** Oldest first. */
  versions: Version[];
  /** In the order of their versions; within a version, as the record lists them. */
  events: HistoryEvent[];
}

export class HistoryFormatError extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the record, refusing anything that is not its shape, and naming the line. */
export function parseHistory(csv: string): History {
  let records: string[][];
  try {
    const parsed: unknown = parse(csv, { relax_column_count: false, skip_empty_lines: true, bom: true });
    records = parsed as string[][];
  } catch (error) {
    throw new HistoryFormatError(`not a well-formed CSV file: ${(error as Error).message}`, { cause: error });
  }
  const [header, ...body] = records;
  if (header?.join(',') !== RECORD_HEADER.join(',')) {
    throw new HistoryFormatError(`unexpected header: expected "${RECORD_HEADER.join(',')}"`);
  }
  const history: History = { versions: [], events: [] };
  let current = '';
  body.forEach((record, i) => {
    const line = i + 2;
    const [date = '', kind = '', port = '', protocol = '', service = '', field = '', from = '', to = ''] = record;
    if (!DATE.test(date)) throw new HistoryFormatError(`line ${line}: "${date}" is not a YYYY-MM-DD date`);
    if (kind === 'version') {
      if (date <= current) throw new HistoryFormatError(`line ${line}: version ${date} is not after ${current}`);
      current = date;
      history.versions.push({ date, source: to });
      return;
    }
    if (date !== current)
      throw new HistoryFormatError(`line ${line}: ${kind} on ${date} has no version line before it`);
    if (!(EVENT_KINDS as readonly string[]).includes(kind)) {
      throw new HistoryFormatError(`line ${line}: unknown kind "${kind}"`);
    }
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      throw new HistoryFormatError(`line ${line}: "${port}" is not a port number`);
    }
    if (!service) throw new HistoryFormatError(`line ${line}: no service name`);
    if (field && !isTracked(field)) throw new HistoryFormatError(`line ${line}: unknown field "${field}"`);
    if (kind === 'changed' && !field) throw new HistoryFormatError(`line ${line}: a change names no field`);
    const event: HistoryEvent = { date, kind: kind as EventKind, port: Number(port), protocol, service };
    if (field) Object.assign(event, { field, from, to });
    history.events.push(event);
  });
  return history;
}

/** The record as its CSV file holds it: versions in order, each followed by its events. */
export function formatHistory(history: History): string {
  const byDate = Map.groupBy(history.events, (event) => event.date);
  const lines: string[][] = [[...RECORD_HEADER]];
  for (const version of history.versions) {
    lines.push([version.date, 'version', '', '', '', '', '', version.source]);
    for (const e of byDate.get(version.date) ?? []) {
      lines.push([e.date, e.kind, String(e.port), e.protocol, e.service, e.field ?? '', e.from ?? '', e.to ?? '']);
    }
  }
  return stringify(lines, { record_delimiter: '\n' });
}
