/**
 * The built site's files as a static host would serve them, plus what a static host does not do for us: Brotli
 * or gzip by `Accept-Encoding` q-values, the `/ports/N.json` addresses, each locale's 404 page, and the headers
 * of src/lib/security-headers.ts. `send` (Express's file sender) does the HTTP of a file: length, HEAD, byte
 * ranges, `304 Not Modified`.
 *
 * Compressed copies are deterministic: one encoding and quality per file (qualityOf), made on the first request
 * for it and kept on disk in SERVE_CACHE_DIR, outside dist/, so every worker, and every restart until the next
 * build, sends the same bytes (HEAD and GET agree whichever worker answers). deploy/README.md has the figures
 * behind the choice.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';
import send from 'send';
import { LOCALES } from '../i18n/locales.ts';
import { isPort } from '../lib/ports/number.ts';
import { blockOf } from '../lib/ports/range.ts';
import { cacheControl, SECURITY_HEADERS, SERVER_FILES } from '../lib/security-headers.ts';
import { log } from './log.ts';
import { createNumberPages } from './number-page.ts';

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
};
/** What a first visit loads: worth Brotli's best quality, some 13 % smaller than quality 5 on a page. */
const FIRST_LOAD = new Set(['.html', '.css', '.js', '.mjs', '.svg', '.webmanifest']);
/** Under this size a file is sent as it is: the encoding's own framing would eat what it saves. */
const SMALL = 256;

type Encoding = 'br' | 'gzip';
const ENCODINGS = ['br', 'gzip', 'identity'] as const;

/**
 * The one compression a file gets, decided by its name and size alone so that it never differs between workers:
 * Brotli 11 for pages, styles and scripts up to 256 KB (some 14 ms for a registry page, once per build), 5 for
 * data (the JSON blocks and the 9 MB /ports.json, where 11 would take seconds) and gzip 6 for clients without
 * Brotli. undefined: sent as it is (images, Pagefind's files, which Pagefind gzips itself, tiny files).
 */
function qualityOf(file: string, size: number, encoding: Encoding): number | undefined {
  const extension = extname(file);
  if (!(extension in TYPES) || size <= SMALL) return undefined;
  if (encoding === 'gzip') return 6;
  return FIRST_LOAD.has(extension) && size <= 256 * 1024 ? 11 : 5;
}

/** The client's encoding by `Accept-Encoding` q-values (`br;q=0` is a refusal); Brotli first among equals. */
function negotiate(req: IncomingMessage): Encoding | 'identity' {
  // negotiator 1.x takes the `preferred` order; its type declarations predate that argument.
  const negotiator = new Negotiator(req) as unknown as {
    encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined;
  };
  return (negotiator.encoding(ENCODINGS, { preferred: ENCODINGS }) ?? 'identity') as Encoding | 'identity';
}

async function statOf(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined);
}

/** Headers every page carries; the page CSP only matters for documents. */
export function pageHeaders(csp: string): Record<string, string> {
  return { ...SECURITY_HEADERS, 'Content-Security-Policy': csp };
}

export interface StaticOptions {
  root: string;
  /** Where compressed copies are kept (SERVE_CACHE_DIR); must be writable. */
  cacheDir: string;
  csp: string;
}

export function createStaticHandler({ root, cacheDir, csp }: StaticOptions) {
  const documentHeaders = pageHeaders(csp);
  const assetHeaders = {
    'X-Content-Type-Options': SECURITY_HEADERS['X-Content-Type-Options']!,
    'Cross-Origin-Resource-Policy': SECURITY_HEADERS['Cross-Origin-Resource-Policy']!,
  };
  const pending = new Map<string, Promise<string>>();

  /**
   * The compressed copy of `file`, made if missing or older than the file. A copy carries its file's mtime, which
   * is how a new build is noticed; it is written under a temporary name and renamed, so a worker reads either
   * nothing or the whole copy, and two workers making one copy at once write the same bytes.
   */
  async function compressed(file: string, stats: Stats, encoding: Encoding, quality: number): Promise<string> {
    const copy = join(cacheDir, `${relative(root, file)}.${encoding}`);
    const current = await statOf(copy);
    if (current && Math.trunc(current.mtimeMs) === Math.trunc(stats.mtimeMs)) return copy;
    let making = pending.get(copy);
    if (!making) {
      making = (async () => {
        const raw = await readFile(file);
        // zlib's asynchronous calls run on libuv's thread pool, so compressing never stalls other requests.
        const body =
          encoding === 'br'
            ? await promisify(brotliCompress)(raw, {
                params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
              })
            : await promisify(gzip)(raw, { level: quality });
        await mkdir(dirname(copy), { recursive: true });
        const temporary = `${copy}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(temporary, body);
        await utimes(temporary, stats.atime, stats.mtime);
        await rename(temporary, copy);
        return copy;
      })().finally(() => pending.delete(copy));
      pending.set(copy, making);
    }
    return making;
  }

  /** The file a URL path names, or where to redirect it (a directory asked for without its slash). */
  async function locate(pathname: string): Promise<{ file: string; stats: Stats } | { redirect: string } | undefined> {
    // `/_headers/` is `/_headers` to the file system.
    if ((SERVER_FILES as readonly string[]).includes(pathname.replace(/\/+$/, ''))) return undefined;
    // Dot files (and `..`, which the target check in http.ts already refuses) are never part of the site.
    if (pathname.split('/').some((segment) => segment.startsWith('.'))) return undefined;
    const file = join(root, ...pathname.split('/'));
    if (file !== root && !file.startsWith(root + sep)) return undefined;
    const stats = await statOf(file);
    if (stats?.isFile() && !pathname.endsWith('/')) return { file, stats };
    if (stats?.isDirectory()) {
      if (!pathname.endsWith('/')) return { redirect: `${pathname}/` };
      const index = join(file, 'index.html');
      const indexStats = await statOf(index);
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
  async function portJson(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const port = Number(/^\/ports\/(\d{1,5})\.json$/.exec(pathname)?.[1] ?? NaN);
    if (!isPort(port)) return false;
    const block = `/ports/range/${blockOf(port).slug}.json`;
    const found = await locate(block);
    if (!found || !('file' in found)) return false;
    let ports = blocks.get(found.file);
    if (ports?.mtimeMs !== found.stats.mtimeMs) {
      const parsed = JSON.parse(await readFile(found.file, 'utf8')) as { ports: { port: number }[] };
      ports = { mtimeMs: found.stats.mtimeMs, ports: new Map(parsed.ports.map((facts) => [facts.port, facts])) };
      blocks.set(found.file, ports);
    }
    const facts = ports.ports.get(port);
    if (facts === undefined) return false;
    const body = Buffer.from(JSON.stringify(facts));
    const headers = {
      ...assetHeaders,
      'Content-Type': TYPES['.json']!,
      'Cache-Control': cacheControl(pathname),
      ETag: `W/"${found.stats.mtimeMs.toString(36)}-${port}"`,
      Link: `<${block}>; rel="alternate"; type="application/json"`,
    };
    const fresh = req.headers['if-none-match'] === headers.ETag;
    res.writeHead(fresh ? 304 : 200, fresh ? headers : { ...headers, 'Content-Length': body.length });
    res.end(fresh || req.method === 'HEAD' ? undefined : body);
    return true;
  }

  const numbers = createNumberPages(root);

  /**
   * `/ports/N/` for a number without a page (issue 24, finding 4): 200 with the number's answer in the page
   * (src/server/number-page.ts), compressed at one fixed quality so every worker sends the same bytes.
   */
  async function numberPage(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const page = await numbers.page(pathname);
    if (!page) return false;
    const raw = Buffer.from(page.html);
    const encoding = negotiate(req);
    const body =
      encoding === 'br'
        ? await promisify(brotliCompress)(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
        : encoding === 'gzip'
          ? await promisify(gzip)(raw, { level: 6 })
          : raw;
    const tag = `"${page.version}-${encoding}"`;
    const headers = {
      ...documentHeaders,
      'Content-Type': TYPES['.html']!,
      'Cache-Control': cacheControl(pathname),
      ETag: encoding === 'identity' ? tag : `W/${tag}`,
      Vary: 'Accept-Encoding',
      ...(encoding === 'identity' ? {} : { 'Content-Encoding': encoding }),
    };
    const fresh = req.headers['if-none-match'] === headers.ETag;
    res.writeHead(fresh ? 304 : 200, fresh ? headers : { ...headers, 'Content-Length': body.length });
    res.end(fresh || req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /** Answers for paths that have no file in the build, tried in turn before the 404; each says if it answered. */
  const withoutFile: ((req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>)[] = [
    portJson,
    numberPage,
  ];

  async function notFoundPage(pathname: string): Promise<{ file: string; stats: Stats } | undefined> {
    const locale = LOCALES.find((l) => pathname === `/${l}` || pathname.startsWith(`/${l}/`));
    for (const candidate of [locale && `/${locale}/404.html`, '/404.html']) {
      const found = candidate ? await locate(candidate) : undefined;
      if (found && 'file' in found) return found;
    }
    return undefined;
  }

  /** A file with its headers, through `send`: 200 (or 206, 304, 416) for a page, `status` 404 for a 404 page. */
  async function sendFile(
    req: IncomingMessage,
    res: ServerResponse,
    { file, stats }: { file: string; stats: Stats },
    status: 200 | 404,
    pathname: string,
  ): Promise<void> {
    const extension = extname(file);
    const compressible = qualityOf(file, stats.size, 'br') !== undefined;
    const encoding = compressible ? negotiate(req) : 'identity';
    const chosen = encoding === 'identity' ? undefined : qualityOf(file, stats.size, encoding);
    // A copy that cannot be made (a full disk) leaves the page served as it is, not refused.
    const copy =
      chosen === undefined
        ? undefined
        : await compressed(file, stats, encoding as Encoding, chosen).catch((error: unknown) => {
            log.error(`cannot keep a compressed copy of ${file} in ${cacheDir}`, error);
            return undefined;
          });
    const quality = copy === undefined ? undefined : chosen;
    const path = copy ?? file;
    const caching = status === 200 ? cacheControl(pathname) : 'no-cache';
    const tag = `"${stats.size.toString(36)}-${Math.trunc(stats.mtimeMs).toString(36)}${quality === undefined ? '' : `-${encoding}`}"`;
    res.statusCode = status;
    for (const [name, value] of Object.entries({
      ...(extension === '.html' ? documentHeaders : assetHeaders),
      'Content-Type': TYPES[extension] ?? 'application/octet-stream',
      'Cache-Control': caching,
      // A file whose name changes with its content is never revalidated, so a validator would be bytes for nothing.
      // A compressed copy's tag is weak: the same meaning as the file, other bytes.
      ...(caching.includes('immutable') ? {} : { ETag: quality === undefined ? tag : `W/${tag}` }),
      ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
      ...(quality === undefined ? {} : { 'Content-Encoding': encoding }),
    })) {
      res.setHeader(name, value);
    }
    await new Promise<void>((done) => {
      send(req, pathToFileURL(path).pathname, {
        // Ranges of the file itself only: a 404 page or a compressed copy is sent whole.
        acceptRanges: status === 200 && quality === undefined,
        cacheControl: false,
        dotfiles: 'allow',
        etag: false,
        index: false,
        // The ETag answers every revalidation, in fewer bytes than a date.
        lastModified: false,
      })
        .on('error', (error: { status?: number }) => {
          // 416 (Content-Range already set), 412, or a file that vanished since it was found.
          res.statusCode = error.status ?? 500;
          res.removeHeader('Content-Encoding');
          res.setHeader('Content-Length', '0');
          res.end();
        })
        .on('error', done)
        .on('end', done)
        .pipe(res);
      res.once('close', done);
    });
  }

  /**
   * Answers a GET or HEAD, in this order: a form's redirect to the port its query names (`/search/?q=3515`,
   * `/ports/?port=3515`: issue 24, finding 3), a directory's redirect, the file, an answer of the site's own for a
   * path without a file (withoutFile), the locale's 404 page. `pathname` is decoded and checked by http.ts;
   * `target` is the request target as the client sent it, which a redirect repeats with its slash added.
   */
  return async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string, target: string) {
    const query = target.indexOf('?');
    if (query >= 0) {
      const location = await numbers.redirect(pathname, new URLSearchParams(target.slice(query + 1)));
      if (location) {
        // 303: the form's answer is another page, fetched with GET; not cached, since the next build may differ.
        res.writeHead(303, {
          ...documentHeaders,
          Location: location,
          'Cache-Control': 'no-cache',
          'Content-Length': '0',
        });
        res.end();
        return;
      }
    }
    const found = await locate(pathname);
    if (found && 'redirect' in found) {
      const [path = '', query] = target.split('?');
      const location = `${path}/${query === undefined ? '' : `?${query}`}`;
      res.writeHead(301, { ...documentHeaders, Location: location, 'Content-Length': '0' });
      res.end();
      return;
    }
    if (found) return sendFile(req, res, found, 200, pathname);
    for (const answer of withoutFile) if (await answer(req, res, pathname)) return;
    const page = await notFoundPage(pathname);
    if (page) return sendFile(req, res, page, 404, pathname);
    res.writeHead(404, { ...documentHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
  };
}
