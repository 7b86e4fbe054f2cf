import type { APIRoute, GetStaticPaths } from 'astro';
import { getLookupEntries, getLookupGaps, type LookupEntry, type LookupGap } from '../../data/lookup.ts';
import { LOOKUP_SHARD_SIZE as SHARD_SIZE, lookupShard as shardOf } from '../../lib/search/lookup.ts';

export interface LookupShard {
  entries: Record<string, Omit<LookupEntry, 'port'>>;
  gaps: LookupGap[];
}

export const getStaticPaths = (async () => {
  const shards = new Map<number, LookupShard>();
  const shard = (n: number) => shards.get(n) ?? shards.set(n, { entries: {}, gaps: [] }).get(n)!;
  for (const { port, ...entry } of await getLookupEntries()) shard(shardOf(port)).entries[port] = entry;
  for (const gap of await getLookupGaps()) {
    // A gap can span shards; each shard gets the part that falls inside it.
    for (let n = shardOf(gap[0]); n <= shardOf(gap[1]); n++) {
      shard(n).gaps.push([Math.max(gap[0], n * SHARD_SIZE), Math.min(gap[1], (n + 1) * SHARD_SIZE - 1), gap[2]]);
    }
  }
  return [...shards].map(([n, data]) => ({ params: { shard: String(n) }, props: { data } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute<{ data: LookupShard }> = ({ props }) => Response.json(props.data);
