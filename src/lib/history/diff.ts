/**
 * What changed between two versions of IANA's CSV, row by row. A row is a service name on one port number and
 * protocol: rows without a service name (IANA's "Reserved" and "Unassigned" placeholders) and rows that give a
 * range of numbers are left out, since they record the absence of a service, not one.
 *
 * Versions are read by column name, not position: IANA renamed "Known Unauthorized Uses" to "Unauthorized Use
 * Reported" in January 2019, and a column that a version lacks is unknown there, not empty, so its appearance
 * is no change.
 */
import { parse } from 'csv-parse/sync';
import { TRACKED, type History, type HistoryEvent, type TrackedField, type Version } from './record.ts';

/** IANA's column names, old ones included, and the field each holds. */
const COLUMNS: Record<string, TrackedField | 'service' | 'port' | 'protocol'> = {
  'Service Name': 'service',
  'Port Number': 'port',
  'Transport Protocol': 'protocol',
  Description: 'description',
  Assignee: 'assignee',
  Contact: 'contact',
  'Registration Date': 'registered',
  'Modification Date': 'modified',
  Reference: 'reference',
  'Service Code': 'serviceCode',
  'Unauthorized Use Reported': 'unauthorizedUse',
  'Known Unauthorized Uses': 'unauthorizedUse',
  'Assignment Notes': 'notes',
};

export interface SnapshotRow {
  service: string;
  port: number;
  protocol: string;
  values: Partial<Record<TrackedField, string>>;
}

export interface Snapshot {
  /** The fields this version has a column for. */
  fields: TrackedField[];
  /** Columns this code does not know, which are ignored (a new column IANA adds shows here first). */
  unknown: string[];
  /** By `rowKey`, in the file's order. */
  rows: Map<string, SnapshotRow>;
  /** IANA's notes on single numbers that no named row lists ("Historic usage was toruxserver. …"), by number. */
  notes: Map<number, string[]>;
}

export const rowKey = (row: { port: number; protocol: string; service: string }) =>
  `${row.port}/${row.protocol}/${row.service}`;

export class SnapshotFormatError extends Error {}

export function readSnapshot(csv: string): Snapshot {
  let records: string[][];
  try {
    const parsed: unknown = parse(csv, { relax_column_count: false, skip_empty_lines: true, bom: true });
    records = parsed as string[][];
  } catch (error) {
    throw new SnapshotFormatError(`not a well-formed CSV file: ${(error as Error).message}`, { cause: error });
  }
  const [header = [], ...body] = records;
  const columns = header.map((name) => COLUMNS[name.trim()]);
  for (const needed of ['service', 'port', 'protocol'] as const) {
    if (!columns.includes(needed)) {
      throw new SnapshotFormatError(`no ${needed} column in the header "${header.join(',')}"`);
    }
  }
  const snapshot: Snapshot = {
    fields: TRACKED.filter((field) => columns.includes(field)),
    unknown: header.filter((_, i) => columns[i] === undefined),
    rows: new Map(),
    notes: new Map(),
  };
  for (const record of body) {
    const row: SnapshotRow = { service: '', port: -1, protocol: '', values: {} };
    record.forEach((raw, i) => {
      const column = columns[i];
      // IANA's export has changed its line breaks back and forth (a note with one, three, then none): whitespace
      // is not a fact, so values are compared and kept with each run of it as one space.
      const value = raw.replace(/\s+/g, ' ').trim();
      if (column === 'port') row.port = /^\d{1,5}$/.test(value) ? Number(value) : -1;
      else if (column === 'service') row.service = value;
      else if (column === 'protocol') row.protocol = value.toLowerCase();
      else if (column && value) row.values[column] = value;
    });
    if (row.port < 0 || row.port > 65535) continue;
    if (!row.service) {
      const note = row.values.notes;
      const notes = snapshot.notes.get(row.port) ?? [];
      if (note && !notes.includes(note)) snapshot.notes.set(row.port, [...notes, note]);
      continue;
    }
    const key = rowKey(row);
    // IANA has listed a row twice now and then; the first one stands, as a reader of the file would see it.
    if (!snapshot.rows.has(key)) snapshot.rows.set(key, row);
  }
  return snapshot;
}

/**
 * The events of one step, first seen on `date`: rows added, rows removed (with their last values, one event per
 * field), and each field of a kept row that changed. Fields one of the two versions lacks are not compared.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot, date: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const compared = before.fields.filter((field) => after.fields.includes(field));
  const base = (row: SnapshotRow) => ({ date, port: row.port, protocol: row.protocol, service: row.service });
  for (const [key, row] of before.rows) {
    const next = after.rows.get(key);
    if (!next) {
      const kept = before.fields.filter((field) => row.values[field] !== undefined);
      if (kept.length === 0) events.push({ ...base(row), kind: 'removed' });
      for (const field of kept) events.push({ ...base(row), kind: 'removed', field, from: row.values[field]!, to: '' });
      continue;
    }
    for (const field of compared) {
      const from = row.values[field] ?? '';
      const to = next.values[field] ?? '';
      if (from !== to) events.push({ ...base(row), kind: 'changed', field, from, to });
    }
  }
  for (const [key, row] of after.rows) if (!before.rows.has(key)) events.push({ ...base(row), kind: 'added' });
  // Events of a step in port order, so a month's record reads like the registry.
  return events.sort((a, b) => a.port - b.port);
}

/**
 * The record with one more step: from `before` (the snapshot the record ends with) to `after`, first seen on
 * `version.date`. A second step on the same day joins that day's version, its events after the first's, so the
 * record still reads backwards one event at a time.
 */
export function appendStep(history: History, before: Snapshot, after: Snapshot, version: Version): History {
  const last = history.versions.at(-1);
  if (last && version.date < last.date) {
    throw new RangeError(`the record already ends with ${last.date}, after ${version.date}`);
  }
  const versions = last?.date === version.date ? history.versions : [...history.versions, version];
  return { versions, events: [...history.events, ...diffSnapshots(before, after, version.date)] };
}

/** The row keys after replaying `events` forward from `keys`: what a record's steps say a later version lists. */
export function replayKeys(keys: Iterable<string>, events: readonly HistoryEvent[]): Set<string> {
  const result = new Set(keys);
  for (const event of events) {
    if (event.kind === 'added') result.add(rowKey(event));
    else if (event.kind === 'removed') result.delete(rowKey(event));
  }
  return result;
}
