/**
 * The registry's history for the pages: the record and the snapshot the content config names, read once
 * (src/lib/history/load.ts). Summaries per port, changes by month, and the former names search can use.
 */
import { HISTORY_CSV, REGISTRY_CSV } from '../content.config.ts';
import { changesByMonth, formerNames, type Change, type PortHistory, type Timeline } from '../lib/history/changes.ts';
import { loadTimeline } from '../lib/history/load.ts';

export const getTimeline = (): Timeline => loadTimeline(HISTORY_CSV, REGISTRY_CSV);

export const getPortHistory = (port: number): PortHistory | undefined => getTimeline().ports.get(port);

/** One page of /changes/: a month's changes, grouped by the version that first showed them. */
export interface ChangeMonth {
  /** `YYYY-MM`. */
  month: string;
  changes: Change[];
  /** The versions of the month that showed changes, each with the version before it, oldest first. */
  steps: { date: string; since: string; changes: Change[] }[];
}

let months: ChangeMonth[] | undefined;

/** Every month with changes, newest first. */
export function getChangeMonths(): ChangeMonth[] {
  months ??= changesByMonth(getTimeline().changes).map(({ month, changes }) => ({
    month,
    changes,
    steps: [...Map.groupBy(changes, (c) => c.date)].map(([date, list]) => ({
      date,
      since: list[0]!.since,
      changes: list,
    })),
  }));
  return months;
}

/** Every month's page with the months either side, for the routes' getStaticPaths. */
export function getChangeMonthRoutes(): { month: ChangeMonth; older?: string; newer?: string }[] {
  const all = getChangeMonths();
  return all.map((month, i) => ({
    month,
    ...(all[i + 1] ? { older: all[i + 1]!.month } : {}),
    ...(i > 0 ? { newer: all[i - 1]!.month } : {}),
  }));
}

/** The names each port went by and no longer does ("visicron-vs"), for search. */
export function getFormerNames(): Map<number, string[]> {
  const names = new Map<number, string[]>();
  for (const [port, summary] of getTimeline().ports) {
    const list = formerNames(summary);
    if (list.length > 0) names.set(port, list);
  }
  return names;
}
