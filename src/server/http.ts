/**
 * One worker's HTTP server. Every request is answered inside one boundary: a target that is not a path gets 400,
 * a Host this server does not serve 421, a method a path does not take 405 (501 for one HTTP does not know),
 * anything unexpected a 500 — all JSON with the reason, and the security headers, even when the HTTP parser
 * gave up — never a crashed process. Timeouts, a connection cap and a share of it per client address keep slow
 * or greedy clients from holding the worker.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
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

/** Headers of every answer that is not a page: JSON renders nothing, so its policy forbids everything. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

type Refusal = [status: number, error: string, headers?: Record<string, string>];

function jsonError(res: ServerResponse, ...[status, error, headers = {}]: Refusal): void {
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

/**
 * The client's address: the socket's, or the one trusted proxies put in X-Forwarded-For (TRUST_PROXY). A value
 * there that is not an address (`not-an-ip`, `203.0.113.5:443`) is refused rather than counted as a network.
 */
export function clientAddress(req: IncomingMessage, config: ServerConfig): string | undefined {
  if (!req.socket.remoteAddress) return 'unknown';
  const address = proxyaddr(req, config.trustProxy);
  return isIP(address) ? address : undefined;
}

/** The host name a request is for, from `Host` without its port; undefined without one (HTTP/1.0). */
function hostName(req: IncomingMessage): string | undefined {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined) return undefined;
  return /^\[([0-9a-f:.]+)\](?::\d*)?$/.exec(host)?.[1] ?? host.replace(/:\d*$/, '');
}

export function createRequestHandler({ config, serveStatic, api }: Handlers) {
  const isApi = ({ pathname }: Target) => pathname === '/api' || pathname.startsWith('/api/');

  /** Why a request is refused before it reaches a page or the API: status, reason and headers. */
  function refusal(req: IncomingMessage, target: Target): Refusal | undefined {
    // Only the names this site is served under (SERVE_HOSTS): a page elsewhere whose name an attacker points at
    // this server (DNS rebinding) gets nothing. The port is not compared, since a proxy may listen on another.
    const host = hostName(req);
    if (config.hosts !== 'any' && host !== undefined && !config.hosts.has(host)) {
      return [421, `this server does not answer for the host ${host.slice(0, 100)}`];
    }
    const method = req.method ?? 'GET';
    if (isApi(target)) return undefined;
    if ((PAGE_METHODS as readonly string[]).includes(method)) return undefined;
    const allow = { Allow: PAGE_METHODS.join(', ') };
    return [405, `${method} is not allowed here: pages answer ${PAGE_METHODS.join(' and ')}`, allow];
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseTarget(req.url ?? '');
    if (!target) {
      jsonError(res, 400, 'the request target is not a valid path');
      return;
    }
    const refused = refusal(req, target);
    if (refused) {
      jsonError(res, ...refused);
      return;
    }
    if (!isApi(target)) return serveStatic(req, res, target.pathname, target.target);
    const address = clientAddress(req, config);
    if (!address) {
      jsonError(res, 400, 'X-Forwarded-For holds a value that is not an IP address');
      return;
    }
    for (const [name, value] of Object.entries(API_HEADERS)) res.setHeader(name, value);
    return api.handle(req, res, target.pathname, address);
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

/** A raw JSON answer on a socket the HTTP parser gave up on (or never got to), then close it. */
function refuseSocket(socket: Socket, status: number, error: string, extra: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error });
  const headers = {
    ...API_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...extra,
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  // Closed once written, not half-closed: a client that never reads would otherwise keep it, and its place in
  // SERVE_MAX_CONNECTIONS, for good.
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head.join('')}\r\n${body}`, () => {
    socket.destroy();
  });
}

/** The part of an address one client holds: an IPv4 address, or an IPv6 /64 (one household or server). */
function clientOf(address: string): string {
  const parsed = ipaddr.process(address);
  return parsed.kind() === 'ipv6' ? parsed.toNormalizedString().split(':').slice(0, 4).join(':') : parsed.toString();
}

export function createHttpServer(handlers: Handlers): Server {
  const { config } = handlers;
  const { timeouts } = config;
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
  server.maxConnections = config.maxConnections;
  server.maxRequestsPerSocket = 1000;
  // A connection on which nothing moves either way — above all a client that stops reading its answer, which
  // the request timeouts do not cover — is closed.
  server.timeout = timeouts.idle;
  server.on('timeout', (socket: Socket) => {
    // Its answer still waits in the buffers: a reset frees them now, where a close would wait for the reader.
    if (socket.writableLength > 0) socket.resetAndDestroy();
    else socket.destroy();
  });

  // No client may hold more than its share of the connections; proxies TRUST_PROXY names speak for many.
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || config.trustProxy(address, 0)) return;
    const client = clientOf(address);
    const count = (open.get(client) ?? 0) + 1;
    if (count > config.maxConnectionsPerClient) {
      socket.on('error', () => undefined);
      refuseSocket(socket, 429, 'too many open connections from this address', { 'Retry-After': '10' });
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    socket.on('error', () => undefined);
    const code = error.code ?? '';
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const [status, reason] =
      code === 'HPE_INVALID_METHOD'
        ? [501, 'the method is not one HTTP knows']
        : code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'the request headers are too large']
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'the request took too long to arrive']
            : [400, 'the request is not valid HTTP'];
    refuseSocket(socket, status, reason);
  });
  // CONNECT is for proxies; this server is not one. Node hands the socket over with no error listener, so a
  // client that resets it would otherwise crash the worker.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.on('error', () => undefined);
    refuseSocket(socket, 405, 'CONNECT is not allowed: this server is not a proxy', {
      Allow: PAGE_METHODS.join(', '),
    });
  });
  return server;
}
