/**
 * The built site's files, as a static host would serve them, plus what a static host does not do for us:
 * Brotli or gzip chosen by `Accept-Encoding` (with `Vary`), compressed once per file and kept in memory, exact
 * `Content-Length`, byte ranges, and `304 Not Modified` from `ETag` / `Last-Modified`. Pagefind's index files
 * are compressed already and go out as they are. Paths that are not a file get the 404 page of their locale.
 */
import { createReadStream, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';
import { LOCALES } from '../i18n/locales.ts';
import { isPort } from '../lib/ports/number.ts';
import { blockOf } from '../lib/ports/range.ts';
import { cacheControl, SECURITY_HEADERS, SERVER_FILES } from '../lib/security-headers.ts';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};
/** Text compresses well; images, fonts and Pagefind's gzipped index files do not. */
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.xml', '.txt', '.webmanifest']);
/** Above this size a file is compressed a little less thoroughly, so the first request does not wait seconds. */
const LARGE = 256 * 1024;

type Encoding = 'br' | 'gzip';

interface Cached {
  body: Buffer;
  size: number;
  mtimeMs: number;
  /** Whether this is the smallest encoding there will be, or a quick one waiting to be replaced. */
  final: boolean;
}

/**
 * Compressed bodies, least recently used first out, within a byte budget. A file is first compressed quickly
 * (Brotli 5, gzip 6: well under a millisecond for a page), so no reader waits; the thorough version (Brotli 11,
 * about twenty times slower, some 10 % smaller) is made afterwards, one file at a time, and replaces it.
 */
class CompressionCache {
  readonly #entries = new Map<string, Cached>();
  readonly #pending = new Map<string, Promise<Cached>>();
  readonly #better: { key: string; file: string; stats: Stats; encoding: Encoding }[] = [];
  #improving = false;
  readonly budget: number;
  #bytes = 0;

  constructor(budget: number) {
    this.budget = budget;
  }

  async get(file: string, stats: Stats, encoding: Encoding): Promise<Buffer> {
    const key = `${encoding}\0${file}`;
    const hit = this.#entries.get(key);
    if (hit && hit.size === stats.size && hit.mtimeMs === stats.mtimeMs) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.body;
    }
    // Several requests for a file that is being compressed wait for the same work.
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = compress(file, stats, encoding, 'fast').finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    const entry = await pending;
    this.#store(key, entry);
    if (!entry.final) this.#improve({ key, file, stats, encoding });
    return entry.body;
  }

  #improve(job: { key: string; file: string; stats: Stats; encoding: Encoding }): void {
    // A crawl can ask for thousands of files at once; the rest are improved when they are asked for again.
    if (this.#better.length < 256) this.#better.push(job);
    if (this.#improving) return;
    this.#improving = true;
    void (async () => {
      for (let next = this.#better.shift(); next; next = this.#better.shift()) {
        const current = this.#entries.get(next.key);
        if (!current || current.final || current.mtimeMs !== next.stats.mtimeMs) continue;
        try {
          this.#store(next.key, await compress(next.file, next.stats, next.encoding, 'best'));
        } catch {
          // The quick version stays; a file that vanished is noticed on its next request.
        }
      }
      this.#improving = false;
    })();
  }

  #store(key: string, entry: Cached): void {
    const old = this.#entries.get(key);
    if (old) this.#bytes -= old.body.length;
    this.#entries.delete(key);
    if (entry.body.length > this.budget) return;
    this.#entries.set(key, entry);
    this.#bytes += entry.body.length;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= this.budget) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.body.length;
    }
  }
}

async function compress(file: string, stats: Stats, encoding: Encoding, effort: 'fast' | 'best'): Promise<Cached> {
  const raw = await readFile(file);
  // Large files (the whole dataset in /ports.json) get the quick version only: the thorough one takes seconds.
  const best = effort === 'best' || raw.length > LARGE;
  // zlib's asynchronous calls run on the thread pool, so compressing never stalls other requests.
  const body =
    encoding === 'br'
      ? await brotli(raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: effort === 'best' ? 11 : 5,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : await gzipAsync(raw, { level: effort === 'best' ? 9 : 6 });
  return { body, size: stats.size, mtimeMs: stats.mtimeMs, final: best };
}

const ENCODINGS = ['br', 'gzip', 'identity'] as const;

/**
 * The encoding to send: the client's choice by `Accept-Encoding` q-values, and where it likes several equally
 * (browsers send `gzip, deflate, br, zstd`), Brotli first. negotiator 1.x takes the `preferred` order; its type
 * declarations predate that argument.
 */
function negotiate(req: IncomingMessage): Encoding | 'identity' {
  const negotiator = new Negotiator(req) as unknown as {
    encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined;
  };
  return (negotiator.encoding(ENCODINGS, { preferred: ENCODINGS }) ?? 'identity') as Encoding | 'identity';
}

export interface StaticOptions {
  root: string;
  csp: string;
  cacheBytes: number;
}

/** Headers every response of the site carries; the CSP only matters for documents. */
export function pageHeaders(csp: string): Record<string, string> {
  return { ...SECURITY_HEADERS, 'Content-Security-Policy': csp };
}

/**
 * A strong tag for the file as it is; a weak one for a compressed version, whose bytes change when the quick
 * compression is replaced by the thorough one while meaning the same.
 */
function etagOf(stats: Stats, encoding: Encoding | 'identity'): string {
  const tag = `"${stats.size.toString(36)}-${Math.trunc(stats.mtimeMs).toString(36)}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  return encoding === 'identity' ? tag : `W/${tag}`;
}

/** `If-None-Match` (weak comparison, as RFC 9110 asks for GET) or, without it, `If-Modified-Since`. */
function notModified(req: IncomingMessage, etag: string, stats: Stats): boolean {
  const match = req.headers['if-none-match'];
  if (match !== undefined) {
    const bare = (tag: string) => tag.trim().replace(/^W\//, '');
    return match.trim() === '*' || match.split(',').some((tag) => bare(tag) === bare(etag));
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.trunc(stats.mtimeMs / 1000) * 1000 <= since;
}

/** One satisfiable byte range, `'unsatisfiable'`, or undefined to send the whole body (several ranges included). */
function byteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

export function createStaticHandler({ root, csp, cacheBytes }: StaticOptions) {
  const cache = new CompressionCache(cacheBytes);
  const documentHeaders = pageHeaders(csp);
  const assetHeaders = {
    'X-Content-Type-Options': SECURITY_HEADERS['X-Content-Type-Options']!,
    'Cross-Origin-Resource-Policy': SECURITY_HEADERS['Cross-Origin-Resource-Policy']!,
  };

  async function statFile(path: string): Promise<Stats | undefined> {
    try {
      return await stat(path);
    } catch {
      return undefined;
    }
  }

  /** The file a URL path names, or where to redirect it (a directory asked for without its slash). */
  async function locate(pathname: string): Promise<{ file: string; stats: Stats } | { redirect: string } | undefined> {
    if ((SERVER_FILES as readonly string[]).includes(pathname)) return undefined;
    // Dot files (and `..`, which the target check already refuses) are never part of the site.
    if (pathname.split('/').some((segment) => segment.startsWith('.'))) return undefined;
    const file = join(root, ...pathname.split('/'));
    if (file !== root && !file.startsWith(root + sep)) return undefined;
    const stats = await statFile(file);
    if (stats?.isFile()) return { file, stats };
    if (stats?.isDirectory()) {
      if (!pathname.endsWith('/')) return { redirect: `${pathname}/` };
      const index = join(file, 'index.html');
      const indexStats = await statFile(index);
      if (indexStats?.isFile()) return { file: index, stats: indexStats };
    }
    return undefined;
  }

  /**
   * `/ports/N.json`, the address one port's facts had before they moved into their block's file
   * (/ports/range/3000-3999.json, which keeps the site within static hosts' file limits): answered from that
   * file, in the shape it always had, so scripts written against it keep working on this server.
   */
  const blocks = new Map<string, { mtimeMs: number; ports: Map<number, unknown> }>();
  async function sendPortJson(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const match = /^\/ports\/(\d{1,5})\.json$/.exec(pathname);
    const port = Number(match?.[1]);
    if (!match || !isPort(port)) return false;
    const found = await locate(`/ports/range/${blockOf(port).slug}.json`);
    if (!found || !('file' in found)) return false;
    let block = blocks.get(found.file);
    if (block?.mtimeMs !== found.stats.mtimeMs) {
      const parsed = JSON.parse(await readFile(found.file, 'utf8')) as { ports: { port: number }[] };
      block = { mtimeMs: found.stats.mtimeMs, ports: new Map(parsed.ports.map((facts) => [facts.port, facts])) };
      blocks.set(found.file, block);
    }
    const facts = block.ports.get(port);
    if (facts === undefined) return false;
    const body = Buffer.from(JSON.stringify(facts));
    const etag = `W/"${found.stats.mtimeMs.toString(36)}-${port}"`;
    const headers = {
      ...assetHeaders,
      'Content-Type': TYPES['.json']!,
      'Cache-Control': cacheControl(pathname),
      ETag: etag,
      Link: `</ports/range/${blockOf(port).slug}.json>; rel="alternate"; type="application/json"`,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  async function notFoundPage(pathname: string): Promise<{ file: string; stats: Stats } | undefined> {
    const locale = LOCALES.find((l) => pathname === `/${l}` || pathname.startsWith(`/${l}/`));
    for (const candidate of [locale && `/${locale}/404.html`, '/404.html']) {
      if (!candidate) continue;
      const found = await locate(candidate);
      if (found && 'file' in found) return found;
    }
    return undefined;
  }

  async function send(
    req: IncomingMessage,
    res: ServerResponse,
    { file, stats }: { file: string; stats: Stats },
    status: number,
    cacheFor: string,
  ): Promise<void> {
    const extension = extname(file).toLowerCase();
    const type = TYPES[extension] ?? 'application/octet-stream';
    const compressible = COMPRESSIBLE.has(extension) && stats.size > 256;
    const encoding = compressible ? negotiate(req) : 'identity';
    const etag = etagOf(stats, encoding);
    const caching = status === 200 ? cacheControl(cacheFor) : 'no-cache';
    const headers: Record<string, string> = {
      ...(type.startsWith('text/html') ? documentHeaders : assetHeaders),
      'Content-Type': type,
      'Cache-Control': caching,
      // A file whose name changes with its content is never revalidated, so a validator would be bytes for nothing.
      ...(caching.includes('immutable') ? {} : { ETag: etag }),
      // Byte ranges only of the file itself: a compressed version's bytes may change under a resumed download.
      // (No Last-Modified: the ETag answers every revalidation, in fewer bytes.)
      ...(encoding === 'identity' ? { 'Accept-Ranges': 'bytes' } : {}),
    };
    if (compressible) headers['Vary'] = 'Accept-Encoding';
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;

    if (status === 200 && notModified(req, etag, stats)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = encoding === 'identity' ? undefined : await cache.get(file, stats, encoding);
    const size = body ? body.length : stats.size;
    const ifRange = req.headers['if-range'];
    const range =
      status === 200 && !body && (ifRange === undefined || ifRange === etag)
        ? byteRange(req.headers.range, size)
        : undefined;
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
      res.end();
      return;
    }
    const [start, end] = range ?? [0, size - 1];
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    headers['Content-Length'] = String(size === 0 ? 0 : end - start + 1);
    res.writeHead(range ? 206 : status, headers);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    if (body) {
      res.end(body.subarray(start, end + 1));
      return;
    }
    await new Promise<void>((done, fail) => {
      const stream = createReadStream(file, { start, end });
      stream.on('error', fail);
      res.on('close', () => {
        stream.destroy();
        done();
      });
      stream.pipe(res);
    });
  }

  /**
   * Answers a GET or HEAD. `pathname` is decoded and checked by the server; `target` is the request target as
   * the client sent it, which a redirect repeats with its slash added.
   */
  return async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string, target: string) {
    const found = await locate(pathname);
    if (found && 'redirect' in found) {
      const [path = '', query] = target.split('?');
      const location = `${path}/${query === undefined ? '' : `?${query}`}`;
      res.writeHead(301, { ...assetHeaders, Location: location, 'Content-Length': '0' });
      res.end();
      return;
    }
    if (found) return send(req, res, found, 200, pathname);
    if (await sendPortJson(req, res, pathname)) return;
    const page = await notFoundPage(pathname);
    if (page) return send(req, res, page, 404, pathname);
    res.writeHead(404, { ...documentHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  };
}
