/** Collection queries in one place, so pages agree on order and shape. */
import { getCollection, type CollectionEntry } from 'astro:content';

export type PortEntry = CollectionEntry<'ports'>;

/** Every port article, by port number. */
export async function getPortPages(): Promise<PortEntry[]> {
  const entries = await getCollection('ports');
  return entries.sort((a, b) => a.data.port - b.data.port);
}
