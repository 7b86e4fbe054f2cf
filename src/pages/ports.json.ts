/** `/ports.json`: every port page's facts in one file (documented in README.md). */
import type { APIRoute } from 'astro';
import { getPortViews, portFacts } from '../data/ports.ts';

export const GET: APIRoute = async () => {
  const ports = (await getPortViews()).map(portFacts);
  return Response.json({
    source: 'IANA Service Name and Transport Protocol Port Number Registry (CC0) and Dormant Ports articles',
    count: ports.length,
    ports,
  });
};
