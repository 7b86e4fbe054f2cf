/**
 * `/ports/range/3000-3999.json`: the facts of every port page in one block of 1,000, and the numbers between them
 * that IANA assigns to nobody (documented on /about/api/). One file per block rather than one per port keeps the
 * site within static hosts' file limits; the production server still answers `/ports/N.json` from these.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { dataSources, getBlocks, portFacts, type Block } from '../../../data/ports.ts';

export const getStaticPaths = (async () =>
  (await getBlocks()).map((block) => ({ params: { block: block.slug }, props: { block } }))) satisfies GetStaticPaths;

export const GET: APIRoute<{ block: Block }> = ({ props: { block } }) =>
  Response.json({
    first: block.first,
    last: block.last,
    ports: block.views.map(portFacts),
    gaps: block.gaps,
    sources: dataSources(),
  });
