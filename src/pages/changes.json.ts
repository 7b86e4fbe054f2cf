/**
 * `/changes.json`: the registry's history for tools (documented on /about/api/): the versions compared, and
 * every change with the month page that lists it.
 */
import type { APIRoute } from 'astro';
import { getTimeline } from '../data/history.ts';
import { changesHref } from '../lib/history/changes.ts';

export const GET: APIRoute = () => {
  const { versions, changes } = getTimeline();
  return Response.json({
    source: 'Versions of the IANA Service Name and Transport Protocol Port Number Registry (CC0), compared row by row',
    firstSeen: 'Each date is the day a copy of the registry first showed the change; it happened after `since`.',
    versions,
    count: changes.length,
    // Each change carries what says what happened: the row that left, the row that came, the fields that moved.
    changes: changes.map(({ date, since, kind, port, service, former, protocols, before, after, fields }) => ({
      date,
      since,
      kind,
      port,
      service,
      ...(former ? { former } : {}),
      protocols,
      ...(kind === 'removed' || kind === 'renamed' || kind === 'reassigned' ? { before } : {}),
      ...(kind === 'added' || kind === 'renamed' || kind === 'reassigned' ? { after } : {}),
      ...(kind === 'changed' || kind === 'renamed' || kind === 'reassigned' ? { fields } : {}),
      url: changesHref(date, port),
    })),
  });
};
