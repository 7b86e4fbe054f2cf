/**
 * The production server: Astro's node adapter (static pages and the feedback API) behind the site's header
 * policy. Run after a build: `npm run serve`; HOST and PORT choose the address (default 127.0.0.1:4321).
 *
 * The adapter's standalone server serves files as they are, so headers Astro does not manage (HSTS, framing,
 * caching) and the 405 for non-GET requests to pages are added here, around its request handler.
 */
import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { cacheControl, PAGE_METHODS, SECURITY_HEADERS } from '../lib/security-headers.ts';

const ENTRY = new URL('../../dist/server/entry.mjs', import.meta.url);
const HEADERS_JSON = new URL('../../dist/_headers.json', import.meta.url);

if (!existsSync(ENTRY)) {
  console.error(`No build at ${fileURLToPath(ENTRY)}: run \`npm run build\` first.`);
  process.exit(1);
}

interface HeadersJson {
  pathname: string;
  headers: { key: string; value: string }[];
}

// The build writes one site-wide policy into every entry (src/integrations/security-headers.ts); error pages
// and API responses get it from here too.
const csp = (JSON.parse(readFileSync(HEADERS_JSON, 'utf8')) as HeadersJson[])
  .flatMap((entry) => entry.headers)
  .find((header) => header.key.toLowerCase() === 'content-security-policy')?.value;
if (!csp) throw new Error(`${fileURLToPath(HEADERS_JSON)} has no Content-Security-Policy`);
const policy: string = csp;

// The adapter starts its own server on import unless told not to.
process.env['ASTRO_NODE_AUTOSTART'] = 'disabled';
const { handler } = (await import(ENTRY.href)) as {
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
};

const host = process.env['HOST'] ?? '127.0.0.1';
const port = Number(process.env['PORT'] ?? 4321);

// One process per core (SERVE_WORKERS to change): the feedback API is CPU-bound, and SQLite in WAL mode takes
// writes from several processes. Each worker keeps its own rate-limit counters.
const workers = Number(process.env['SERVE_WORKERS'] ?? availableParallelism());
if (cluster.isPrimary && workers > 1) {
  // Keeps the feedback API's rate-limit counts for all workers together.
  new RateLimiterClusterMaster();
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} exited (${code}); starting another`);
    cluster.fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
      let left = Object.keys(cluster.workers ?? {}).length;
      if (left === 0) process.exit(0);
      cluster.on('exit', () => {
        if (--left === 0) process.exit(0);
      });
    });
  }
  console.log(`Dormant Ports on http://${host}:${port}/ (${workers} workers)`);
} else {
  serve();
}

function serve() {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // JSON answers render nothing, so the 2 KB page policy would only slow the API down.
    if (!pathname.startsWith('/api/')) res.setHeader('Content-Security-Policy', policy);
    res.setHeader('Cache-Control', cacheControl(pathname));

    const method = req.method ?? 'GET';
    const isApi = pathname.startsWith('/api/');
    if (!isApi && !(PAGE_METHODS as readonly string[]).includes(method)) {
      res.writeHead(405, { Allow: PAGE_METHODS.join(', '), 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${method} is not allowed here: pages answer ${PAGE_METHODS.join(' and ')}.\n`);
      return;
    }
    handler(req, res);
  });

  server.listen(port, host, () => {
    if (cluster.isPrimary) console.log(`Dormant Ports on http://${host}:${port}/`);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      // Keep-alive connections would hold close() open; they carry no unfinished work worth waiting for.
      server.closeAllConnections();
    });
  }
}
