/**
 * What an exact port-number lookup can find, without asking the full-text index: one entry per port that
 * has a page. Served as small JSON shards (`/lookup/3.json` holds 3000–3999) so a lookup fetches a few KB.
 */
import { getPortPages } from './ports.ts';

export interface LookupEntry {
  port: number;
  title: string;
  service: string;
  url: string;
  /** IANA registration date, YYYY-MM(-DD). */
  registered?: string;
}

/** Numbers IANA lists as a block without a service, e.g. [3522, 3529, 'Unassigned']. */
export type LookupGap = [first: number, last: number, label: 'Unassigned' | 'Reserved'];

export const SHARD_SIZE = 1000;
export const shardOf = (port: number) => Math.floor(port / SHARD_SIZE);

export async function getLookupEntries(): Promise<LookupEntry[]> {
  return (await getPortPages()).map(({ data }) => ({
    port: data.port,
    title: data.title,
    service: data.iana.service,
    url: `/ports/${data.port}/`,
    ...(data.iana.registered ? { registered: data.iana.registered } : {}),
  }));
}

export function getLookupGaps(): Promise<LookupGap[]> {
  return Promise.resolve([]);
}
