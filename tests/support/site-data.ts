/**
 * Which ports the build gave an article, which it did not, and what it says of each, read from the build itself
 * (dist/ports.json): a test, an audit or a benchmark that needs "a registry-only page" or "an article" picks one
 * here, so a valid new article (CONTRIBUTING.md) never makes its fixture wrong (issue 20, finding 1).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './server.ts';
import { listOf } from '../../src/lib/ports/range.ts';

export interface BuiltPort {
  port: number;
  url: string;
  article?: unknown;
  range: 'system' | 'user' | 'dynamic';
  history?: unknown;
  registry: { service?: string; description?: string; assignee?: string; registered?: string; protocol: string }[];
  uses?: { origin: string; name: string; kind: string; ports: number[] }[];
  dormancy: {
    verdict: 'likely-dormant' | 'in-use' | 'unknown';
    reasons: { signal: string; value: string; source: string }[];
  };
}

const cache = new Map<string, BuiltPort[]>();

/** Every port with a page, as `dist/ports.json` lists it (or that of another build folder). */
export function builtPorts(dist = DIST): BuiltPort[] {
  let ports = cache.get(dist);
  if (!ports) {
    if (!existsSync(join(dist, 'ports.json')))
      throw new Error(`No ${join(dist, 'ports.json')}: run \`npm run build\` first.`);
    ports = (JSON.parse(readFileSync(join(dist, 'ports.json'), 'utf8')) as { ports: BuiltPort[] }).ports;
    cache.set(dist, ports);
  }
  return ports;
}

/** The ports with an article, in number order. */
export const articlePorts = (dist = DIST): number[] => builtPorts(dist).flatMap((p) => (p.article ? [p.port] : []));

/** The ports with a registry page only (English only), in number order. */
export const registryOnlyPorts = (dist = DIST): number[] =>
  builtPorts(dist).flatMap((p) => (p.article ? [] : [p.port]));

/** The port's one IANA service name, as its page's title gives it ("Port N: name"). */
export const serviceOf = (port: number, dist = DIST): string => {
  const found = builtPorts(dist).find((p) => p.port === port)?.registry[0]?.service;
  if (!found) throw new Error(`dist/ports.json has no registered service on ${port}`);
  return found;
};

/**
 * A plain registry-only page: no article, no known use, no registry history, one service name registered for both
 * TCP and UDP (so every check command applies) — the first such port after the first article, near the pages the
 * other tests open.
 */
export function registryOnlyPort(dist = DIST): number {
  const ports = builtPorts(dist);
  const article = articlePorts(dist)[0] ?? 0;
  const fits = (p: BuiltPort) =>
    !p.article &&
    !p.history &&
    (p.uses ?? []).length === 0 &&
    new Set(p.registry.map((row) => row.service)).size === 1 &&
    ['tcp', 'udp'].every((protocol) => p.registry.some((row) => row.protocol === protocol));
  const found = ports.find((p) => fits(p) && p.port > article) ?? ports.find(fits);
  if (!found) throw new Error('dist/ports.json lists no plain port without an article');
  return found.port;
}

/**
 * A port without an article of its own on which an article documents a use (Netrek's metaserver on 3522, from
 * the 3521 article): its page is in use by that article's word, and links it. Undefined when every such port has
 * an article of its own; a test that needs one then skips, naming why.
 */
export function portDocumentedByAnArticle(dist = DIST): { port: number; article: number; use: string } | undefined {
  for (const p of builtPorts(dist)) {
    if (p.article) continue;
    // The verdict cites such a use by the article's page (src/lib/dormancy.ts, useSource).
    for (const reason of p.dormancy.reasons) {
      const article = /^\/ports\/(\d+)\/$/.exec(reason.source)?.[1];
      if (reason.signal === 'known-use' && article)
        return { port: p.port, article: Number(article), use: reason.value };
    }
  }
  return undefined;
}

/** Why a test that needs portDocumentedByAnArticle() skips when there is none. */
export const NO_DOCUMENTED_PORT = 'every port on which an article documents a use has an article of its own';

/** The slug of the range page that lists `port`: a hundred numbers a page (src/lib/ports/range.ts). */
export const listSlug = (port: number): string => listOf(port).slug;

/** The HTML file of a URL path in `dist` (`/ports/80/` → dist/ports/80/index.html). */
export function pageFile(path: string, dist = DIST): string {
  return join(dist, ...path.split('/'), path.endsWith('/') ? 'index.html' : '');
}

/** Bytes of a page's HTML as written (uncompressed), or 0 when the build has no such page. */
export function pageBytes(path: string, dist = DIST): number {
  const file = pageFile(path, dist);
  return existsSync(file) ? statSync(file).size : 0;
}

/** The paths sorted by their HTML size, largest first. */
export function bySize(paths: string[], dist = DIST): { path: string; bytes: number }[] {
  return paths.map((path) => ({ path, bytes: pageBytes(path, dist) })).sort((a, b) => b.bytes - a.bytes);
}

/** Every page below a URL path (`/ports/dormant/` → itself, `/ports/dormant/2/`, …), as URL paths. */
export function pagesUnder(path: string, dist = DIST): string[] {
  const root = join(dist, ...path.split('/'));
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name === 'index.html' || name.endsWith('/index.html'))
    .map((name) => `${path}${name.slice(0, -'index.html'.length)}`);
}

/** A port number with no page of its own: the production server answers it with a number page, a static host with the 404 page. */
export function portWithoutPage(dist = DIST): number {
  const known = new Set(builtPorts(dist).map((p) => p.port));
  for (let port = 1024; port <= 65535; port++) {
    if (!known.has(port) && !existsSync(join(dist, 'ports', String(port)))) return port;
  }
  throw new Error('every port number has a page');
}
