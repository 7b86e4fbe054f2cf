/** `/lookup/N.json`: the shards exact number lookups read (src/lib/search/lookup.ts). */
import type { APIRoute, GetStaticPaths } from 'astro';
import { getLookupEntries, getLookupGaps } from '../../data/ports.ts';
import { buildShards, type LookupShard } from '../../lib/search/lookup.ts';

export const getStaticPaths = (async () => {
  const shards = buildShards(await getLookupEntries(), await getLookupGaps());
  return [...shards].map(([n, data]) => ({ params: { shard: String(n) }, props: { data } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute<{ data: LookupShard }> = ({ props }) => Response.json(props.data);
