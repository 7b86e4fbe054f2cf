/**
 * One worker's HTTP server. Every request is answered inside one boundary: a target that is not a path gets 400,
 * a method a path does not take 405 (501 for one HTTP does not know), anything unexpected a 500 JSON with one
 * log line — never a crashed process. Timeouts and a connection cap keep slow or greedy clients from holding
 * the worker; a client that hangs up gets a short log line, not a stack trace.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyaddr from 'proxy-addr';
import { PAGE_METHODS, SECURITY_HEADERS } from '../lib/security-headers.ts';
import type { Api } from './api.ts';
import type { ServerConfig } from './config.ts';
import { isClientAbort, log } from './log.ts';

export interface Target {
  /** Decoded path, e.g. `/ports/3515/`. */
  pathname: string;
  /** The path and query as sent (origin-form), for redirects that repeat it. */
  target: string;
}

const ORIGIN_FORM = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@%/]*(?:\?[\w\-.~!$&'()*+,;=:@%/?[\]{}|^`"<>\\]*)?$/;

/**
 * The path a request target names, or undefined when it is not one a client may send: an origin-form path
 * (`/ports/3515/?q=1`, never starting `//`), or an absolute URL whose host and port are valid. Percent escapes
 * must be complete; encoded slashes, backslashes and NUL, and `.`/`..` segments are refused rather than guessed.
 */
export function parseTarget(raw: string): Target | undefined {
  let target = raw;
  if (!raw.startsWith('/')) {
    if (!/^https?:\/\//i.test(raw)) return undefined;
    try {
      const url = new URL(raw);
      target = `${url.pathname}${url.search}`;
    } catch {
      return undefined;
    }
  }
  if (!ORIGIN_FORM.test(target) || /%(?![0-9a-f]{2})/i.test(target)) return undefined;
  const path = target.split('?')[0]!;
  if (/%(2f|5c|00)/i.test(path)) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (!pathname.isWellFormed() || pathname.split('/').some((segment) => segment === '.' || segment === '..')) {
    return undefined;
  }
  return { pathname, target };
}

const API_HEADERS = {
  ...SECURITY_HEADERS,
  // JSON renders nothing, so the page policy is not needed; this one forbids everything.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...API_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function jsonError(res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    ...API_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export interface Handlers {
  config: ServerConfig;
  serveStatic: (req: IncomingMessage, res: ServerResponse, pathname: string, target: string) => Promise<void>;
  api: Api;
}

/** The client's address: the socket's, or the one trusted proxies put in X-Forwarded-For (TRUST_PROXY). */
export function clientAddress(req: IncomingMessage, config: ServerConfig): string {
  if (!req.socket.remoteAddress) return 'unknown';
  return proxyaddr(req, config.trustProxy);
}

export function createRequestHandler({ config, serveStatic, api }: Handlers) {
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = parseTarget(req.url ?? '');
    if (!target) {
      jsonError(res, 400, 'the request target is not a valid path');
      return;
    }
    if (target.pathname === '/api' || target.pathname.startsWith('/api/')) {
      for (const [name, value] of Object.entries(API_HEADERS)) res.setHeader(name, value);
      return api.handle(req, res, target.pathname, clientAddress(req, config));
    }
    if (!(PAGE_METHODS as readonly string[]).includes(method)) {
      plain(res, 405, `${method} is not allowed here: pages answer ${PAGE_METHODS.join(' and ')}.`, {
        Allow: PAGE_METHODS.join(', '),
      });
      return;
    }
    return serveStatic(req, res, target.pathname, target.target);
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    answer(req, res).catch((error: unknown) => {
      const what = `${req.method ?? '?'} ${(req.url ?? '').slice(0, 200)}`;
      if (isClientAbort(error) || res.destroyed) {
        log.warn(`${what}: the client went away before the answer was sent`);
        res.destroy();
        return;
      }
      log.error(`${what}: unexpected error`, error);
      if (res.headersSent) res.destroy();
      else jsonError(res, 500, 'the server could not answer this request');
    });
  };
}

/** A raw answer on a socket the HTTP parser gave up on, then close it. */
function refuseSocket(socket: Duplex, status: number, extra = ''): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: STATUS_CODES[status]?.toLowerCase() ?? 'bad request' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`,
  );
}

export function createHttpServer(handlers: Handlers): Server {
  const { timeouts, maxConnections } = handlers.config;
  const server = createServer(
    {
      headersTimeout: timeouts.headers,
      requestTimeout: timeouts.request,
      keepAliveTimeout: timeouts.keepAlive,
      maxHeaderSize: 16 * 1024,
      // How often timeouts are checked; the default (30 s) would let a slow client overstay by that much.
      connectionsCheckingInterval: 1000,
    },
    createRequestHandler(handlers),
  );
  server.maxHeadersCount = 100;
  server.maxConnections = maxConnections;
  server.maxRequestsPerSocket = 1000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? '';
    if (code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      code === 'HPE_INVALID_METHOD'
        ? 501
        : code === 'HPE_HEADER_OVERFLOW'
          ? 431
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 408
            : 400;
    refuseSocket(socket, status);
  });
  // CONNECT is for proxies; this server is not one.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    refuseSocket(socket, 405, `Allow: ${PAGE_METHODS.join(', ')}\r\n`);
  });
  return server;
}
