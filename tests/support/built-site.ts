/**
 * What a build in dist/ contains, read from the build itself so that benchmarks and budgets follow the content
 * instead of naming ports: which ports have an article, which have a registry page only, and the largest page of
 * a kind. dist/ports.json lists every port with a page, `article` set when it has one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './server.ts';

interface PortEntry {
  port: number;
  article?: unknown;
}

export interface BuiltPorts {
  /** Ports with an article, in every locale. */
  articles: number[];
  /** Ports with a registry page only (English only). */
  registryOnly: number[];
}

/** The ports of the build in `dist`, from its ports.json. */
export function builtPorts(dist = DIST): BuiltPorts {
  const file = join(dist, 'ports.json');
  if (!existsSync(file)) throw new Error(`No ${file}: run \`npm run build\` first.`);
  const { ports } = JSON.parse(readFileSync(file, 'utf8')) as { ports: PortEntry[] };
  return {
    articles: ports.filter((p) => p.article).map((p) => p.port),
    registryOnly: ports.filter((p) => !p.article).map((p) => p.port),
  };
}

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

/** A port number with no page at all, so its URL answers with the 404 page. */
export function portWithoutPage(dist = DIST): number {
  const { articles, registryOnly } = builtPorts(dist);
  const known = new Set([...articles, ...registryOnly]);
  for (let port = 1024; port <= 65535; port++) {
    if (!known.has(port) && !existsSync(join(dist, 'ports', String(port)))) return port;
  }
  throw new Error('every port number has a page');
}
