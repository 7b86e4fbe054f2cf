/** `/ports/N.json`: the facts of one port page, for scripts (documented in README.md). */
import type { APIRoute, GetStaticPaths } from 'astro';
import { getPortViews, portFacts, type PortView } from '../../data/ports.ts';

export const getStaticPaths = (async () =>
  (await getPortViews()).map((view) => ({
    params: { port: String(view.port) },
    props: { view },
  }))) satisfies GetStaticPaths;

export const GET: APIRoute<{ view: PortView }> = ({ props }) => Response.json(portFacts(props.view));
