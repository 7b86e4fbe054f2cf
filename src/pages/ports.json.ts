/** `/ports.json`: every port page's facts in one file (documented in README.md). */
import type { APIRoute } from 'astro';
import { dataSources, getPortViews, portFacts } from '../data/ports.ts';

export const GET: APIRoute = async () => {
  const ports = (await getPortViews()).map(portFacts);
  return Response.json({
    sources: dataSources(),
    count: ports.length,
    ports,
  });
};
