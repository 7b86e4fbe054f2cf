/**
 * POST /api/feedback as a plain Request → Response function, so the production server, the dev server and
 * unit tests share it. Checks run cheapest first, and every refusal is a 4xx with `{ "error": "…" }` that
 * stores nothing and spends none of the reader's vote budget: only a well-formed vote reaches the store,
 * where the per-network cap and the per-minute rate limit are counted.
 */
import { DEFAULT_LOCALE, localeOfPath, type Locale } from '../../i18n/locales.ts';
import { COOKIE_NAME, dayOf, KeyError, type DayKeys, type VisitorKeys } from './identity.ts';
import { logStore } from './log.ts';
import { formHints, refusalPage, wantsPage, type Refusal } from './refusal.ts';
import { describeIssue, fromForm, MAX_BODY_BYTES, voteSchema } from './schema.ts';
import { StoreUnavailableError, type FeedbackStore, type Limits } from './store.ts';

export interface FeedbackContext {
  store: FeedbackStore;
  keys: VisitorKeys;
  limits: Limits;
  /** Origins allowed to post here: the site's own, and static copies of it elsewhere. */
  origins: ReadonlySet<string>;
  /** The origins this request counts as same-origin (the public origin, and the host it was sent to). */
  ownOrigins: ReadonlySet<string>;
  /** The reader's address, as the server worked it out (trusted proxies included). */
  clientAddress: string;
  /** Mark the voter cookie `Secure` (the site is served over HTTPS). */
  secureCookie: boolean;
  now?: () => Date;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': JSON_TYPE, ...headers } });

export const refuse = (status: number, error: string, headers: Record<string, string> = {}) =>
  json(status, { error }, headers);

function corsHeaders(
  request: Request,
  origins: ReadonlySet<string>,
  own: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin || !origins.has(origin) || own.has(origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
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

/** `Origin` and `Sec-Fetch-Site` say where a browser request came from. */
function crossSite(request: Request, origins: ReadonlySet<string>, own: ReadonlySet<string>): boolean {
  const origin = request.headers.get('origin');
  if (origin && !own.has(origin) && !origins.has(origin)) return true;
  const site = request.headers.get('sec-fetch-site');
  return site === 'cross-site' && !(origin && origins.has(origin));
}

/** Reads at most `limit` bytes; undefined means the body was larger. */
async function readCapped(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) return undefined;
  if (!request.body) return new Uint8Array();
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
  return Buffer.concat(chunks);
}

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * A store that is down refuses every vote; one log line per cause every ten seconds (with how many votes it
 * refused meanwhile) says as much as thousands would.
 */
const reported = new Map<string, { at: number; since: number }>();
function reportUnavailable(reason: string, now = Date.now()): void {
  const last = reported.get(reason);
  if (last && now - last.at < 10_000) {
    last.since++;
    return;
  }
  const more = last?.since ? ` (${last.since} more votes refused for this since the last line)` : '';
  logStore('error', `votes not stored: ${reason}${more}`);
  reported.set(reason, { at: now, since: 0 });
}

/**
 * The page a form was posted from, as the browser's Referer names it, when that is a page of the site (its own
 * origin, or a static copy allowed to post here): the way back, and the language of the reader.
 */
function pageOf(request: Request, context: FeedbackContext): { back: string; locale: Locale } | undefined {
  let url: URL;
  try {
    url = new URL(request.headers.get('referer') ?? '');
  } catch {
    return undefined;
  }
  if (!context.ownOrigins.has(url.origin) && !context.origins.has(url.origin)) return undefined;
  const back = `${context.ownOrigins.has(url.origin) ? '' : url.origin}${url.pathname}#feedback`;
  return { back, locale: localeOfPath(url.pathname) };
}

/** Seconds until the next UTC midnight, when a day's votes and voter ids end. */
function secondsToMidnight(now: Date): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
}

export async function handleFeedback(request: Request, context: FeedbackContext): Promise<Response> {
  const cors = corsHeaders(request, context.origins, context.ownOrigins);
  if (crossSite(request, context.origins, context.ownOrigins)) {
    return refuse(403, 'cross-site requests are not accepted from this origin');
  }
  const [type = '', ...params] = (request.headers.get('content-type') ?? '').split(';').map((p) => p.trim());
  const mediaType = type.toLowerCase();
  // A reader's browser posting the form without JavaScript gets a page back, anyone else JSON (refusal.ts).
  const page = wantsPage(request, mediaType);
  const from = pageOf(request, context);
  let hints: { locale: Locale; port: number | undefined } = { locale: from?.locale ?? DEFAULT_LOCALE, port: undefined };
  const say = (status: number, error: string, headers: Record<string, string> = {}, why?: Refusal) =>
    page
      ? refusalPage(
          why ?? { kind: 'unreadable', reason: error },
          { ...hints, back: from?.back, origin: cors['Access-Control-Allow-Origin'] ?? '' },
          status,
          { ...cors, ...headers },
        )
      : refuse(status, error, { ...cors, ...headers });

  if (mediaType !== 'application/json' && mediaType !== 'application/x-www-form-urlencoded') {
    return say(415, 'send application/json or application/x-www-form-urlencoded');
  }
  const charset = params
    .find((p) => /^charset=/i.test(p))
    ?.slice(8)
    .replace(/"/g, '')
    .toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return say(415, `send the body as UTF-8 (charset=${charset} is not accepted)`);
  }

  const bytes = await readCapped(request, MAX_BODY_BYTES);
  if (bytes === undefined) return say(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return say(400, 'the body is not valid UTF-8');
  }

  let data: unknown;
  const form = mediaType === 'application/x-www-form-urlencoded';
  if (form) {
    const named = formHints(text);
    hints = { locale: named.locale === DEFAULT_LOCALE ? hints.locale : named.locale, port: named.port };
    const parsed = fromForm(new URLSearchParams(text));
    if ('error' in parsed) return say(400, parsed.error);
    data = parsed.data;
  } else {
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      return say(400, 'the body is not valid JSON');
    }
  }

  const result = voteSchema.safeParse(data);
  if (!result.success) return say(400, describeIssue(result.error, data));
  const vote = result.data;
  hints = { locale: vote.locale ?? DEFAULT_LOCALE, port: vote.port };
  if (vote.website) return say(400, 'the form was filled in by a robot (the hidden website field is set)');

  const now = context.now?.() ?? new Date();
  const day = dayOf(now);
  const locale: Locale = vote.locale ?? DEFAULT_LOCALE;
  const unavailable = (error: unknown) => {
    if (!(error instanceof StoreUnavailableError || error instanceof KeyError)) throw error;
    reportUnavailable(error.message);
    return say(
      503,
      'the vote could not be saved just now; please try again later',
      { 'Retry-After': '30' },
      { kind: 'unavailable' },
    );
  };

  let keys: DayKeys;
  try {
    keys = await context.keys.forDay(day);
  } catch (error) {
    return unavailable(error);
  }
  const known = keys.verify(cookieValue(request, COOKIE_NAME));
  const issued = known ? undefined : keys.issue();
  const voterId = known ?? issued!.id;

  let outcome;
  try {
    outcome = await context.store.cast(
      {
        port: vote.port,
        locale,
        rating: vote.rating,
        comment: vote.comment,
        reasons: vote.reasons,
        voter: keys.voter(voterId),
        ...keys.networks(context.clientAddress),
        rateKey: keys.rateKey(context.clientAddress),
        at: now,
      },
      context.limits,
    );
  } catch (error) {
    return unavailable(error);
  }

  if (outcome.kind === 'rate-limit') {
    return say(
      429,
      `too many votes from this network; try again in ${outcome.retryAfter} s`,
      { 'Retry-After': String(outcome.retryAfter) },
      { kind: 'rate-limit', seconds: outcome.retryAfter },
    );
  }
  if (outcome.kind === 'network-limit') {
    return say(
      429,
      `${outcome.limit} readers on this network have already voted on this page today; votes from it count again tomorrow`,
      { 'Retry-After': String(secondsToMidnight(now)) },
      { kind: 'network-limit' },
    );
  }

  const headers: Record<string, string> = { ...cors };
  if (issued) {
    // The id is worth something only for the rest of the day, so the cookie ends with it. Cross-site (a static
    // site posting here) needs SameSite=None, which browsers accept only with Secure.
    const crossOrigin = cors['Access-Control-Allow-Origin'] !== undefined;
    headers['Set-Cookie'] = [
      `${COOKIE_NAME}=${issued.cookie}`,
      'Path=/api/feedback',
      `Max-Age=${secondsToMidnight(now)}`,
      'HttpOnly',
      crossOrigin ? 'SameSite=None' : 'SameSite=Lax',
      ...(context.secureCookie || crossOrigin ? ['Secure'] : []),
    ].join('; ');
  }
  if (form) {
    // The no-JavaScript path: back to the page, whose #feedback target shows the thank-you. When the API is
    // hosted apart from a static site, the way back is to that site's origin.
    const back = cors['Access-Control-Allow-Origin'] ?? '';
    const prefix = locale === DEFAULT_LOCALE ? '' : `/${locale}`;
    return new Response(null, {
      status: 303,
      headers: {
        ...headers,
        Location: `${back}${prefix}/ports/${vote.port}/?voted=${vote.rating}#voted-${vote.rating}`,
      },
    });
  }
  return json(200, { ok: true, port: vote.port, rating: vote.rating, vote: outcome.kind }, headers);
}
