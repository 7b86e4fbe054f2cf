/** `/names/N.json`: the shards name lookups read (src/lib/search/names.ts documents the format). */
import type { APIRoute, GetStaticPaths } from 'astro';
import { getSearchNames } from '../../data/ports.ts';
import { buildNameShards, type NameShard } from '../../lib/search/names.ts';

export const getStaticPaths = (async () => {
  const shards = buildNameShards(await getSearchNames());
  return [...shards].map(([n, data]) => ({ params: { shard: String(n) }, props: { data } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute<{ data: NameShard }> = ({ props }) => Response.json(props.data);
