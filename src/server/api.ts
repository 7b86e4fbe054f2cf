/**
 * The live part of the site: `POST /api/feedback` (votes), its CORS preflight, and `GET /api/feedback/summary`
 * for the site's owner. Everything under /api/ answers JSON, including the refusals: 404 for an unknown path,
 * 405 with `Allow` for a method a path does not take.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/**
 * Whether a browser's post comes from a page of another site by its `Referer`, when it sent no `Origin` (older
 * browsers on a form post): the handler decides by `Origin` and `Sec-Fetch-Site`, this covers the rest.
 */
function crossSiteReferer(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const referer = req.headers.referer;
  if (req.headers.origin !== undefined || referer === undefined) return false;
  try {
    return !allowed.has(new URL(referer).origin);
  } catch {
    return true;
  }
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

async function write(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  // A body left partly unread (refused as too large) would be taken for the next request on this connection:
  // say the connection ends here, rather than leave a keep-alive client to find it reset.
  const headers: Record<string, string | string[]> = res.req.complete ? {} : { connection: 'close' };
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
    let first: IteratorResult<string>;
    try {
      first = await chunks.next();
    } catch (error) {
      await chunks.return(undefined);
      if (!(error instanceof StoreUnavailableError)) throw error;
      log.error('feedback summary: store unavailable', error);
      return write(res, refuse(503, 'the feedback store is unavailable just now', { 'Retry-After': '30' }), head);
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    // pipeline() waits whenever the reader is slow, and ends the query (the generator's finally) if they hang up.
    await pipeline(
      Readable.from(
        (async function* () {
          try {
            for (let next = first; !next.done && !head; next = await chunks.next()) yield next.value;
          } finally {
            await chunks.return(undefined);
          }
        })(),
      ),
      res,
    );
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
      } else if (crossSiteReferer(req, new Set([...origins, ...ownOrigins(req, config)]))) {
        response = refuse(403, 'cross-site requests are not accepted from this origin');
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
