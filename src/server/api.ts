/**
 * The live part of the site: `POST /api/feedback` (votes), its CORS preflight, and `GET /api/feedback/summary`
 * for the site's owner. Everything under /api/ answers JSON, including the refusals: 404 for an unknown path,
 * 405 with `Allow` for a method a path does not take.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { handleFeedback, preflight, refuse, type FeedbackContext } from '../lib/feedback/handler.ts';
import { keyPlacementProblem, loadKey, VisitorKeys } from '../lib/feedback/identity.ts';
import { toJson } from '../lib/feedback/report.ts';
import { openStore } from '../lib/feedback/open.ts';
import { StoreUnavailableError, type FeedbackStore } from '../lib/feedback/store.ts';
import type { ServerConfig } from './config.ts';
import { log } from './log.ts';

const ROUTES: Record<string, readonly string[]> = {
  '/api/feedback': ['POST', 'OPTIONS'],
  '/api/feedback/summary': ['GET', 'HEAD'],
};

export interface Api {
  store: FeedbackStore;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, clientAddress: string): Promise<void>;
  close(): Promise<void>;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The origins a reader's page may have when it posts here: the public one, and the host the request named. */
function ownOrigins(req: IncomingMessage, config: ServerConfig): Set<string> {
  const origins = new Set([config.siteOrigin]);
  const host = req.headers.host;
  if (host && /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host)) {
    origins.add(`http://${host.toLowerCase()}`);
    origins.add(`https://${host.toLowerCase()}`);
  }
  return origins;
}

/** A Node request as a web Request, once the server has checked its method and target. */
function toRequest(req: IncomingMessage, pathname: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const body = req.method === 'POST' ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
  return new Request(`http://api.invalid${pathname}`, {
    method: req.method ?? 'GET',
    headers,
    body,
    // A streamed body must be declared half-duplex (the fetch standard's rule for request streams).
    ...(body ? { duplex: 'half' } : {}),
  });
}

/** Resolves when `res` can take more, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      res.off('drain', finish);
      res.off('close', finish);
      done();
    };
    res.on('drain', finish);
    res.on('close', finish);
  });
}

async function write(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = head || response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

export async function createApi(config: ServerConfig): Promise<Api> {
  const key = loadKey({ secret: config.secret, file: config.keyFile });
  const misplaced = config.secret ? undefined : keyPlacementProblem(config.keyFile, config.store.url);
  if (misplaced) log.warn(`feedback: ${misplaced}`);
  const store = await openStore(config.store.url, config.store);
  const keys = new VisitorKeys(key, store);
  // A store that cannot be reached must not keep the pages from being served; votes get 503 until it can.
  await store.ready().catch((error: unknown) => {
    log.error('feedback store not ready; votes will be refused until it is', error);
  });
  const origins = new Set([config.siteOrigin, ...config.feedbackOrigins]);

  /** Why the summary is refused to this request, if it is. */
  function guard(req: IncomingMessage): Response | undefined {
    const token = config.adminToken;
    // Without a configured token the summary does not exist, rather than being guarded by an empty secret.
    if (!token) return refuse(404, 'the feedback summary is not enabled on this server (set FEEDBACK_ADMIN_TOKEN)');
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) {
      return refuse(401, 'send Authorization: Bearer <FEEDBACK_ADMIN_TOKEN>', { 'WWW-Authenticate': 'Bearer' });
    }
    return undefined;
  }

  /**
   * The report as JSON, the same query as `npm run feedback:report`, sent a batch of pages at a time as the store
   * reads them, so the worker's memory does not grow with the votes. A store that cannot be read gets 503 before
   * the first byte; one that fails later cuts the response off (the request boundary in http.ts).
   */
  async function sendSummary(req: IncomingMessage, res: ServerResponse, head: boolean): Promise<void> {
    const refusal = guard(req);
    if (refusal) return write(res, refusal, head);
    const chunks = toJson(store.report())[Symbol.asyncIterator]();
    try {
      let next: IteratorResult<string>;
      try {
        next = await chunks.next();
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        log.error('feedback summary: store unavailable', error);
        await write(res, refuse(503, 'the feedback store is unavailable just now', { 'Retry-After': '30' }), head);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      while (!head && !next.done) {
        if (!res.write(next.value)) await drained(res);
        // A reader who hung up stops the query too.
        if (res.destroyed) return;
        next = await chunks.next();
      }
      res.end();
    } finally {
      await chunks.return(undefined);
    }
  }

  return {
    store,
    async handle(req, res, pathname, clientAddress) {
      const method = req.method ?? 'GET';
      const allowed = ROUTES[pathname];
      let response: Response;
      if (!allowed) {
        response = refuse(404, `there is no API at ${pathname}`);
      } else if (!allowed.includes(method)) {
        response = refuse(405, `${method} is not allowed on ${pathname}; use ${allowed.join(' or ')}`, {
          Allow: allowed.join(', '),
        });
      } else if (pathname === '/api/feedback/summary') {
        return sendSummary(req, res, method === 'HEAD');
      } else if (method === 'OPTIONS') {
        response = preflight(toRequest(req, pathname), origins);
      } else {
        const context: FeedbackContext = {
          store,
          keys,
          limits: config.limits,
          origins,
          ownOrigins: ownOrigins(req, config),
          clientAddress,
          secureCookie: config.siteOrigin.startsWith('https:'),
        };
        response = await handleFeedback(toRequest(req, pathname), context);
      }
      await write(res, response, method === 'HEAD');
    },
    close: () => {
      keys.close();
      return store.close();
    },
  };
}
