/**
 * What an exact port-number lookup can find, without asking the full-text index: one entry per port that
 * has a page, and the blocks IANA lists without a service. Served as small JSON shards (src/lib/search/lookup.ts).
 */
import { getPortViews, getRegistryGaps } from './ports.ts';

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

export async function getLookupEntries(): Promise<LookupEntry[]> {
  return (await getPortViews()).map(({ port, article, registry }) => {
    const service = registry?.services[0] ?? article!.data.iana;
    const registered = service.registered;
    return {
      port,
      // Articles go by their title; registry pages by IANA's name and description, as the registry reads.
      title: article?.data.title ?? `${service.service} (${service.description})`,
      service: service.service,
      url: `/ports/${port}/`,
      ...(registered ? { registered } : {}),
    };
  });
}

export async function getLookupGaps(): Promise<LookupGap[]> {
  return (await getRegistryGaps()).map(({ first, last, label }) => [first, last, label]);
}
