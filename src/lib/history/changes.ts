/**
 * The record (record.ts) read as a reader wants it: changes per step and port — a service added, removed,
 * renamed or reassigned, or facts of a listed one changed — and a summary per port: when it was first seen, what
 * it was before, when it lost its assignment. The record is read backwards from the current snapshot, which
 * holds the values the record does not repeat.
 *
 * A date is the day a version was first seen (fetched), never the day IANA made the change: the change happened
 * after `since`, the version before, and on or before `date`. Usually that is a week; across the tracker's
 * 2020-04 → 2020-12 gap it is months, and from its last copy (2024-01-31) to the snapshot in content/registry/ it
 * is two years.
 */
import { rowKey, type Snapshot } from './diff.ts';
import { isTracked, type History, type HistoryEvent, type TrackedField } from './record.ts';

export const CHANGE_KINDS = ['added', 'removed', 'renamed', 'reassigned', 'changed'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export type Values = Partial<Record<TrackedField, string>>;

export interface FieldChange {
  field: TrackedField;
  from: string;
  to: string;
}

/** One thing that happened to a service on a port in one step, its protocols taken together. */
export interface Change {
  /** First seen in the version of this day. */
  date: string;
  /** The version before: the change happened after it. Empty for the first version. */
  since: string;
  kind: ChangeKind;
  port: number;
  /** The service the change is about; for `removed`, the one that left; for `renamed` and `reassigned`, the new. */
  service: string;
  /** For `renamed` and `reassigned`: the service that left. */
  former?: string;
  protocols: string[];
  /** The row before the step (for `added`, nothing). */
  before: Values;
  /** The row after the step (for `removed`, nothing). */
  after: Values;
  /** What differs between before and after, field by field (for `added` and `removed`, nothing). */
  fields: FieldChange[];
}

/** A service that was on a port and is not any more. */
export interface Former {
  service: string;
  description?: string;
  assignee?: string;
  protocols: string[];
  /** First seen gone (the day of the version without it); for a service known only from IANA's note, IANA's date. */
  until: string;
  /** The version before `until`, when the record has one. */
  since?: string;
  /** Where this is known from: the record of versions, or only IANA's note on the port. */
  from: 'history' | 'iana-note';
}

/** What the registry's history says of one port, for its page, the verdict and search. */
export interface PortHistory {
  port: number;
  /**
   * The first version a service of this port was seen in. Equal to the record's first version, it is a lower
   * bound: the service was listed by then, perhaps for years.
   */
  firstSeen: string;
  /** Listed in the record's first version (so registered on or before it, whatever IANA's dates say). */
  inFirstVersion: boolean;
  /** The services listed in the record's first version. */
  firstServices: string[];
  /** Oldest first. */
  changes: Change[];
  /** Services no longer on the port, most recent first. */
  former: Former[];
  /**
   * The port has no service now but had one: when it lost the last (first seen gone; for a service known only
   * from IANA's note, IANA's date), and the day IANA's note on the number gives, if it gives one.
   */
  removed?: { date: string; since?: string; iana?: string };
  /** The latest change of any kind, and what it touched. */
  lastChange?: { date: string; kinds: ChangeKind[]; fields: TrackedField[] };
  /** The latest change of an assignee or contact of the port's services, first seen on this date. */
  assigneeChanged?: string;
  /** `assigneeChanged` falls within RECENT_YEARS of the newest version: someone still looks after it. */
  assigneeChangedRecently: boolean;
}

/** How far back a change of assignee or contact counts as recent, in years before the newest version. */
export const RECENT_YEARS = 3;

interface Life {
  port: number;
  protocol: string;
  service: string;
  events: HistoryEvent[];
}

/** Every row's events, by row key, in record order. */
function lives(history: History): Map<string, Life> {
  const map = new Map<string, Life>();
  for (const event of history.events) {
    const key = rowKey(event);
    let life = map.get(key);
    if (!life)
      map.set(key, (life = { port: event.port, protocol: event.protocol, service: event.service, events: [] }));
    life.events.push(event);
  }
  return map;
}

/**
 * A row's values just after the version of `date` (or `undefined` when it was not listed then), read backwards
 * from the current snapshot through the row's later events.
 */
function valuesAfter(life: Life | undefined, current: Values | undefined, date: string): Values | undefined {
  let values = current && { ...current };
  const later = (life?.events ?? []).filter((e) => e.date > date);
  for (let i = later.length - 1; i >= 0; i--) {
    const event = later[i]!;
    if (event.kind === 'added') values = undefined;
    else if (event.kind === 'removed') {
      // The first of the removal's lines (reading backwards, the last) brings the row back with its last values.
      values ??= {};
      if (event.field) values[event.field] = event.from ?? '';
    } else if (event.field && values) {
      // An empty value is no value: `pick` drops it.
      values[event.field] = event.from ?? '';
    }
  }
  return values;
}

const pick = (values: Values | undefined): Values =>
  Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== ''));

function differences(before: Values, after: Values): FieldChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)].filter(isTracked));
  return [...fields]
    .filter((field) => (before[field] ?? '') !== (after[field] ?? ''))
    .map((field) => ({ field, from: before[field] ?? '', to: after[field] ?? '' }));
}

export interface Timeline {
  versions: History['versions'];
  /** Every change, oldest first; within a step, by port. */
  changes: Change[];
  ports: Map<number, PortHistory>;
}

/**
 * Reads the record against the current snapshot. `notes` are IANA's notes on numbers without a service (from
 * the same snapshot): "Historic usage was toruxserver. De-Assigned on 2018-04-19" names a service the record may
 * not have seen go, when it went before the record's first version.
 */
export function readTimeline(history: History, current: Snapshot): Timeline {
  const { versions } = history;
  const first = versions[0]?.date ?? '';
  const newest = versions.at(-1)?.date ?? '';
  const previous = new Map(versions.map((v, i) => [v.date, versions[i - 1]?.date ?? '']));
  const rows = lives(history);
  const now = (key: string) => current.rows.get(key)?.values;
  const state = (key: string, date: string) => valuesAfter(rows.get(key), now(key), date);

  const changes: Change[] = [];
  const byStep = Map.groupBy(history.events, (e) => `${e.date} ${e.port}`);
  for (const events of byStep.values()) {
    const { date, port } = events[0]!;
    const since = previous.get(date) ?? '';
    const removed = [...new Set(events.filter((e) => e.kind === 'removed').map(rowKey))];
    const added = [...new Set(events.filter((e) => e.kind === 'added').map(rowKey))];
    const rowOf = (key: string) => rows.get(key)!;
    const step: Change[] = [];
    // A row that leaves and another that arrives on the same protocol in the same step: the port passed from one
    // service name to another. Paired protocol by protocol, in the file's order.
    const pairs: [string, string][] = [];
    for (const protocol of new Set(removed.map((k) => rowOf(k).protocol))) {
      const gone = removed.filter((k) => rowOf(k).protocol === protocol);
      const come = added.filter((k) => rowOf(k).protocol === protocol);
      for (let i = 0; i < Math.min(gone.length, come.length); i++) pairs.push([gone[i]!, come[i]!]);
    }
    const paired = new Set(pairs.flat());
    for (const [gone, come] of pairs) {
      const before = pick(state(gone, since));
      const after = pick(state(come, date));
      step.push({
        date,
        since,
        kind: (before.assignee ?? '') === (after.assignee ?? '') ? 'renamed' : 'reassigned',
        port,
        service: rowOf(come).service,
        former: rowOf(gone).service,
        protocols: [rowOf(come).protocol],
        before,
        after,
        fields: differences(before, after),
      });
    }
    for (const key of removed.filter((k) => !paired.has(k))) {
      const before = pick(state(key, since));
      step.push({
        date,
        since,
        kind: 'removed',
        port,
        service: rowOf(key).service,
        protocols: [rowOf(key).protocol],
        before,
        after: {},
        fields: [],
      });
    }
    for (const key of added.filter((k) => !paired.has(k))) {
      const after = pick(state(key, date));
      step.push({
        date,
        since,
        kind: 'added',
        port,
        service: rowOf(key).service,
        protocols: [rowOf(key).protocol],
        before: {},
        after,
        fields: [],
      });
    }
    for (const [key, list] of Map.groupBy(
      events.filter((e) => e.kind === 'changed'),
      rowKey,
    )) {
      const fields = list.map((e) => ({ field: e.field!, from: e.from ?? '', to: e.to ?? '' }));
      step.push({
        date,
        since,
        kind: 'changed',
        port,
        service: rowOf(key).service,
        protocols: [rowOf(key).protocol],
        before: pick(state(key, since)),
        after: pick(state(key, date)),
        fields,
      });
    }
    changes.push(...mergeProtocols(step));
  }

  const ports = new Map<number, PortHistory>();
  const portsSeen = new Set([
    ...[...current.rows.values()].map((r) => r.port),
    ...[...rows.values()].map((l) => l.port),
  ]);
  const byPort = Map.groupBy(changes, (c) => c.port);
  const livesByPort = Map.groupBy(rows.entries(), ([, life]) => life.port);
  const currentByPort = Map.groupBy(current.rows.entries(), ([, row]) => row.port);
  const recentFrom = `${Number(newest.slice(0, 4)) - RECENT_YEARS}${newest.slice(4)}`;
  for (const port of [...portsSeen].sort((a, b) => a - b)) {
    const portChanges = byPort.get(port) ?? [];
    const keys = new Set([
      ...(livesByPort.get(port) ?? []).map(([key]) => key),
      ...(currentByPort.get(port) ?? []).map(([key]) => key),
    ]);
    // A row was in the first version unless its first event adds it.
    const atFirst = [...keys].filter((key) => {
      const events = rows.get(key)?.events ?? [];
      return events.length > 0 ? events[0]!.kind !== 'added' : current.rows.has(key);
    });
    const seen = [...keys].map((key) => {
      const events = rows.get(key)?.events ?? [];
      return events.length > 0 && events[0]!.kind === 'added' ? events[0]!.date : first;
    });
    const firstSeen = seen.sort()[0] ?? first;
    // Services that left the port altogether: a service that keeps one of its protocols is still there.
    const listed = new Set((currentByPort.get(port) ?? []).map(([, row]) => row.service));
    const gone = [...keys].filter((key) => !current.rows.has(key) && !listed.has(rowOf(rows, key).service));
    const former = formerServices(
      gone.flatMap((key) => rows.get(key) ?? []),
      state,
      previous,
    );
    const summary: PortHistory = {
      port,
      firstSeen,
      inFirstVersion: atFirst.length > 0,
      firstServices: [...new Set(atFirst.map((key) => rowOf(rows, key, current).service))],
      changes: portChanges,
      former,
      assigneeChangedRecently: false,
    };
    if (!currentByPort.has(port) && former.length > 0) {
      const last = former
        .map((f) => f.until)
        .sort()
        .at(-1)!;
      summary.removed = { date: last, since: previous.get(last) ?? '' };
    }
    const latest = portChanges.at(-1);
    if (latest) {
      const same = portChanges.filter((c) => c.date === latest.date);
      summary.lastChange = {
        date: latest.date,
        kinds: [...new Set(same.map((c) => c.kind))],
        fields: [...new Set(same.flatMap((c) => c.fields.map((f) => f.field)))],
      };
    }
    const keeper = portChanges.filter(
      (c) =>
        c.kind === 'reassigned' ||
        (c.kind === 'changed' && c.fields.some((f) => f.field === 'assignee' || f.field === 'contact')),
    );
    const changedOn = keeper.at(-1)?.date;
    if (changedOn) {
      summary.assigneeChanged = changedOn;
      summary.assigneeChangedRecently = changedOn >= recentFrom;
    }
    ports.set(port, summary);
  }
  for (const [port, notes] of current.notes) {
    if (currentByPort.has(port)) continue;
    const said = notes
      .map((note) => /(?:removed|de-?assigned)(?: on)? (\d{4}-\d{2}-\d{2})/i.exec(note)?.[1])
      .find(Boolean);
    const removed = ports.get(port)?.removed;
    if (removed && said) removed.iana = said;
    const known = ports.get(port);
    const told = notes.flatMap((note) => formerFromNote(note) ?? []);
    const fresh = told.filter((f) => !known?.former.some((k) => k.service === f.service));
    if (fresh.length === 0) continue;
    const summary: PortHistory = known ?? {
      port,
      firstSeen: first,
      inFirstVersion: false,
      firstServices: [],
      changes: [],
      former: [],
      assigneeChangedRecently: false,
    };
    summary.former.push(...fresh);
    summary.removed ??= { date: fresh[0]!.until };
    ports.set(port, summary);
  }
  return { versions, changes, ports: new Map([...ports].sort(([a], [b]) => a - b)) };
}

function rowOf(rows: Map<string, Life>, key: string, current?: Snapshot): { service: string; protocol: string } {
  return rows.get(key) ?? current?.rows.get(key) ?? { service: key.split('/').slice(2).join('/'), protocol: '' };
}

/** The services that left a port, one per name, with their last description and assignee. */
function formerServices(
  gone: Life[],
  state: (key: string, date: string) => Values | undefined,
  previous: Map<string, string>,
): Former[] {
  const byService = Map.groupBy(gone, (life) => life.service);
  const former: Former[] = [];
  for (const [service, list] of byService) {
    const ends = list.flatMap((life) => life.events.filter((e) => e.kind === 'removed').map((e) => e.date)).sort();
    const until = ends.at(-1);
    if (!until) continue;
    const since = previous.get(until) ?? '';
    const values = pick(state(rowKey(list[0]!), since));
    former.push({
      service,
      ...(values.description ? { description: values.description } : {}),
      ...(values.assignee ? { assignee: values.assignee } : {}),
      protocols: list.map((life) => life.protocol).filter(Boolean),
      until,
      since,
      from: 'history',
    });
  }
  return former.sort((a, b) => (a.until < b.until ? 1 : a.until > b.until ? -1 : 0));
}

/** Changes of one step that differ only by protocol, as one change listing its protocols in IANA's order. */
function mergeProtocols(step: Change[]): Change[] {
  const merged = new Map<string, Change>();
  for (const change of step) {
    const key = JSON.stringify([change.kind, change.service, change.former, change.fields]);
    const found = merged.get(key);
    if (found) found.protocols.push(...change.protocols.filter((p) => !found.protocols.includes(p)));
    else merged.set(key, { ...change, protocols: [...change.protocols] });
  }
  return [...merged.values()];
}

/**
 * A former service named in IANA's note on a number it no longer assigns: "Historic usage was acms. De-Assigned
 * on 2020-12-29", "De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]", '"pcp" assignment
 * withdrawn'. The date is IANA's.
 */
export function formerFromNote(note: string): Former | undefined {
  const name =
    /historic usage was ([\w.+-]+?)\.?(?:\s|$)/i.exec(note)?.[1] ??
    /previously ([\w.+-]+) by\b/i.exec(note)?.[1] ??
    /"([\w.+-]+)" assignment withdrawn/i.exec(note)?.[1];
  if (!name) return undefined;
  const date = /(\d{4}-\d{2}-\d{2})/.exec(note)?.[1] ?? '';
  return { service: name, protocols: [], until: date, from: 'iana-note' };
}

/** The numbers that lost their service and have none now: each gets a page that says what it was. */
export const formerlyAssigned = (timeline: Pick<Timeline, 'ports'>): Set<number> =>
  new Set([...timeline.ports.values()].filter((p) => p.removed).map((p) => p.port));

/** Copies further apart than this leave a change's date open by more than "within a week or so". */
const LONG_WINDOW_DAYS = 45;

/** The change could have happened weeks or months before it was first seen (the 2020 gap, the 2024 → 2026 step). */
export const longWindow = (change: Pick<Change, 'date' | 'since'>): boolean =>
  change.since !== '' && (Date.parse(change.date) - Date.parse(change.since)) / 86_400_000 > LONG_WINDOW_DAYS;

/** The month a date falls in, as `YYYY-MM`: change pages are by month. */
export const monthOf = (date: string) => date.slice(0, 7);

/** The change page of the month a date falls in (`/changes/2019/07/`), at a port's first change there if given. */
export const changesHref = (date: string, port?: number) =>
  `/changes/${date.slice(0, 4)}/${date.slice(5, 7)}/${port === undefined ? '' : `#port-${port}`}`;

/** Every month with changes, newest first, with its changes in record order. */
export function changesByMonth(changes: readonly Change[]): { month: string; changes: Change[] }[] {
  return [...Map.groupBy(changes, (c) => monthOf(c.date))]
    .map(([month, list]) => ({ month, changes: list }))
    .sort((a, b) => (a.month < b.month ? 1 : -1));
}

/** Changes of each kind per year, oldest year first: what the chart on /changes/ draws. */
export function changesByYear(changes: readonly Change[]): { year: string; counts: Record<ChangeKind, number> }[] {
  const years = new Map<string, Record<ChangeKind, number>>();
  for (const change of changes) {
    const year = change.date.slice(0, 4);
    let counts = years.get(year);
    if (!counts) years.set(year, (counts = { added: 0, removed: 0, renamed: 0, reassigned: 0, changed: 0 }));
    counts[change.kind]++;
  }
  return [...years].sort(([a], [b]) => (a < b ? -1 : 1)).map(([year, counts]) => ({ year, counts }));
}

/**
 * The names a port went by and no longer does, for search: former service names and their descriptions
 * ("visicron-vs", "Visicron Videoconference Service").
 */
export function formerNames(summary: PortHistory | undefined): string[] {
  return [...new Set((summary?.former ?? []).flatMap((f) => [f.service, ...(f.description ? [f.description] : [])]))];
}
