/**
 * POST /api/feedback, as a plain Request → Response function so unit tests and the Astro route share it.
 * Every refusal is a 4xx with `{ "error": "…" }` and stores nothing; checks run cheapest first.
 */
import cluster from 'node:cluster';
import { RateLimiterCluster, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { describeIssue, MAX_BODY_BYTES, voteSchema, type Vote } from './schema.ts';
import type { FeedbackStore } from './store.ts';

export interface FeedbackDeps {
  store: FeedbackStore;
  limiter: RateLimiterAbstract;
  /** Port numbers that have a page. */
  pages: ReadonlySet<number>;
  /** Origins allowed to post: the site's own, and the static site's when the API is hosted apart from it. */
  origins: ReadonlySet<string>;
  clientAddress: string;
  now?: () => Date;
}

/**
 * Requests per client per minute (FEEDBACK_RATE_LIMIT; the load benchmark raises it). Under the production
 * server's cluster the workers share one count, kept by the primary process (src/server/serve.ts).
 */
export function createLimiter(env: Record<string, string | undefined> = process.env): RateLimiterAbstract {
  const options = { keyPrefix: 'feedback', points: Number(env['FEEDBACK_RATE_LIMIT'] || 30), duration: 60 };
  return cluster.isWorker ? new RateLimiterCluster({ ...options, timeoutMs: 2000 }) : new RateLimiterMemory(options);
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });

export const refuse = (status: number, error: string, headers: Record<string, string> = {}) =>
  json(status, { error }, headers);

function corsHeaders(request: Request, origins: ReadonlySet<string>): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin || !origins.has(origin) || origin === new URL(request.url).origin) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/** Preflight for a static site posting JSON to an API on another origin. */
export function preflight(request: Request, origins: ReadonlySet<string>): Response {
  const cors = corsHeaders(request, origins);
  if (!cors['Access-Control-Allow-Origin']) return refuse(403, 'cross-site requests are not accepted from this origin');
  return new Response(null, {
    status: 204,
    headers: {
      ...cors,
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '86400',
    },
  });
}

/** `Origin` and `Sec-Fetch-Site` say where a browser request came from; Astro's checkOrigin skips JSON posts. */
function crossSite(request: Request, origins: ReadonlySet<string>): boolean {
  const origin = request.headers.get('origin');
  if (origin && origin !== new URL(request.url).origin && !origins.has(origin)) return true;
  const site = request.headers.get('sec-fetch-site');
  return site === 'cross-site' && !(origin && origins.has(origin));
}

/** Reads at most `limit` bytes; undefined means the body was larger. */
async function readCapped(request: Request, limit: number): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

type Parsed = { kind: 'json' | 'form'; data: unknown } | Response;

function parseBody(type: string, text: string): Parsed {
  if (type === 'application/json') {
    try {
      return { kind: 'json', data: JSON.parse(text) as unknown };
    } catch {
      return refuse(400, 'the body is not valid JSON');
    }
  }
  const form = new URLSearchParams(text);
  const data: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    data[key] = key === 'reasons' ? values : values.at(-1)!;
  }
  // A form sends every field as text: the port becomes a number only when it is written as plain digits, so
  // "0x0DBB" or "1e3" stay text and the schema refuses them.
  if (typeof data['port'] === 'string' && /^\d{1,5}$/.test(data['port'])) data['port'] = Number(data['port']);
  // An empty textarea or honeypot posts "", which means "nothing".
  const { comment, website, ...rest } = data;
  return { kind: 'form', data: { ...rest, ...(comment ? { comment } : {}), ...(website ? { website } : {}) } };
}

export async function handleFeedback(request: Request, deps: FeedbackDeps): Promise<Response> {
  const cors = corsHeaders(request, deps.origins);
  if (crossSite(request, deps.origins)) return refuse(403, 'cross-site requests are not accepted from this origin');

  try {
    await deps.limiter.consume(deps.clientAddress);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    return refuse(429, `too many votes from this address; try again in ${seconds} s`, {
      ...cors,
      'Retry-After': String(seconds),
    });
  }

  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
    return refuse(415, 'send application/json or application/x-www-form-urlencoded', cors);
  }
  const text = await readCapped(request, MAX_BODY_BYTES);
  if (text === undefined) return refuse(413, `the body is larger than ${MAX_BODY_BYTES} bytes`, cors);
  const parsed = parseBody(type, text);
  if (parsed instanceof Response) return parsed;

  const result = voteSchema.safeParse(parsed.data);
  if (!result.success) return refuse(400, describeIssue(result.error), cors);
  const vote: Vote = result.data;
  if (vote.website) return refuse(400, 'the form was filled in by a robot (the hidden website field is set)', cors);
  if (!deps.pages.has(vote.port)) return refuse(404, `there is no page for port ${vote.port}`, cors);

  const now = deps.now?.() ?? new Date();
  try {
    const visitor = await deps.store.visitor(
      deps.clientAddress,
      vote.voter ?? request.headers.get('user-agent') ?? '',
      now,
    );
    await deps.store.save(vote, visitor, now);
  } catch (error) {
    console.error('feedback: could not store a vote:', error);
    return refuse(503, 'the vote could not be saved just now; please try again later', {
      ...cors,
      'Retry-After': '30',
    });
  }

  if (parsed.kind === 'form') {
    // The no-JavaScript path: back to the page, whose #feedback target shows the thank-you.
    // When the API is hosted apart from a static site, the way back is to that site's origin.
    const back = cors['Access-Control-Allow-Origin'] ?? '';
    return new Response(null, {
      status: 303,
      headers: { ...cors, Location: `${back}/ports/${vote.port}/?voted=${vote.rating}#feedback` },
    });
  }
  return json(200, { ok: true, port: vote.port, rating: vote.rating }, cors);
}
