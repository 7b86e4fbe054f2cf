/**
 * Which ports the build gave an article and which it did not, read from the build itself (dist/ports.json), so a
 * test needs no list of ports that an added article would make wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../support/server.ts';

export interface BuiltPort {
  port: number;
  url: string;
  article?: unknown;
  registry: { protocol: string }[];
  uses?: unknown[];
  dormancy: { verdict: 'likely-dormant' | 'in-use' | 'unknown' };
}

let cached: BuiltPort[] | undefined;

/** Every port with a page, as dist/ports.json lists it. */
export function builtPorts(): BuiltPort[] {
  cached ??= (JSON.parse(readFileSync(join(DIST, 'ports.json'), 'utf8')) as { ports: BuiltPort[] }).ports;
  return cached;
}

/** The ports with an article, in number order. */
export const articlePorts = (): number[] => builtPorts().flatMap((p) => (p.article ? [p.port] : []));

/**
 * A port with only a registry page, registered for both TCP and UDP (so every check command applies): the first
 * in the block of the first article, near the pages the other tests open.
 */
export function registryOnlyPort(): number {
  const article = articlePorts()[0] ?? 0;
  const block = Math.floor(article / 1000) * 1000;
  const fits = (p: BuiltPort) =>
    !p.article && ['tcp', 'udp'].every((protocol) => p.registry.some((row) => row.protocol === protocol));
  const found = builtPorts().find((p) => fits(p) && p.port >= block) ?? builtPorts().find(fits);
  if (!found) throw new Error('dist/ports.json lists no port without an article');
  return found.port;
}
