/**
 * handleFeedback with real parts: a SQLite store in a temporary folder and real visitor keys, driven with web
 * Requests as the server builds them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { handleFeedback, preflight, type FeedbackContext } from '../../src/lib/feedback/handler.ts';
import { VisitorKeys } from '../../src/lib/feedback/identity.ts';
import { SqliteStore } from '../../src/lib/feedback/sqlite.ts';
import { StoreUnavailableError, type FeedbackStore } from '../../src/lib/feedback/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-handler-'));
let store: SqliteStore;
let context: FeedbackContext;
const SITE = 'https://dormantports.example';
const STATIC = 'https://static.example';

function post(body: unknown, headers: Record<string, string> = {}, type = 'application/json'): Request {
  return new Request('http://api.invalid/api/feedback', {
    method: 'POST',
    headers: { 'Content-Type': type, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

before(async () => {
  store = new SqliteStore(`file:${join(dir, 'feedback.db')}`);
  await store.ready();
  context = {
    store,
    keys: new VisitorKeys(randomBytes(32), store),
    limits: { perNetwork: 3, perMinute: 100 },
    origins: new Set([SITE, STATIC]),
    ownOrigins: new Set([SITE]),
    clientAddress: '192.0.2.10',
    secureCookie: true,
    now: () => new Date('2026-12-01T12:00:00Z'),
  };
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('handleFeedback', () => {
  test('stores a vote and issues a Secure voter cookie that lasts until midnight UTC', async () => {
    const response = await handleFeedback(post({ port: 3515, rating: 'helpful' }), context);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, port: 3515, rating: 'helpful', vote: 'stored' });
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(
      cookie,
      /^dp_voter=[\w-]{22}\.[\w-]{22}; Path=\/api\/feedback; Max-Age=43200; HttpOnly; SameSite=Lax; Secure$/,
    );
    assert.equal(await store.count(), 1);
  });

  test('a reader with a valid cookie replaces their vote and gets no new cookie', async () => {
    const first = await handleFeedback(post({ port: 3521, rating: 'somewhat' }), context);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const again = await handleFeedback(post({ port: 3521, rating: 'helpful' }, { Cookie: cookie }), context);
    assert.equal(((await again.json()) as { vote: string }).vote, 'replaced');
    assert.equal(again.headers.get('set-cookie'), null);
  });

  test('caps different readers of one network at three per page and day, with a Retry-After until midnight', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await handleFeedback(post({ port: 4000, rating: 'helpful' }), context)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const refused = await handleFeedback(post({ port: 4000, rating: 'helpful' }), context);
    assert.equal(refused.headers.get('retry-after'), '43200');
    assert.match(await errorOf(refused), /3 readers on this network have already voted on this page today/);
    // Another page, or another network, is not affected.
    assert.equal((await handleFeedback(post({ port: 4001, rating: 'helpful' }), context)).status, 200);
    const other = { ...context, clientAddress: '198.51.100.7' };
    assert.equal((await handleFeedback(post({ port: 4000, rating: 'helpful' }), other)).status, 200);
  });

  test('counts an IPv6 client by its /64', async () => {
    const v6 = (address: string) => ({ ...context, clientAddress: address });
    const statuses = [];
    for (const suffix of ['1', '2', '3', 'ffff']) {
      statuses.push(
        (await handleFeedback(post({ port: 4002, rating: 'helpful' }), v6(`2001:db8:1:2::${suffix}`))).status,
      );
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal((await handleFeedback(post({ port: 4002, rating: 'helpful' }), v6('2001:db8:1:3::1'))).status, 200);
  });

  test('caps readers of one IPv6 /56 at six and of one /48 at twelve per page and day, however many /64s they hold', async () => {
    const from = (address: string) => ({ ...context, clientAddress: address });
    const statuses = async (port: number, addresses: string[]) => {
      const all = [];
      for (const address of addresses)
        all.push((await handleFeedback(post({ port, rating: 'helpful' }), from(address))).status);
      return all;
    };
    // Ten /64s of one /56: six count.
    const in56 = Array.from({ length: 10 }, (_, i) => `2001:db8:7:${(0x100 + i).toString(16)}::1`);
    assert.deepEqual(await statuses(4003, in56), [...Array<number>(6).fill(200), ...Array<number>(4).fill(429)]);
    // Twenty /56s of one /48: twelve count.
    const in48 = Array.from({ length: 20 }, (_, i) => `2001:db8:8:${(i * 0x100).toString(16)}::1`);
    assert.deepEqual(await statuses(4004, in48), [...Array<number>(12).fill(200), ...Array<number>(8).fill(429)]);
    // Another /48 is not affected.
    assert.deepEqual(await statuses(4004, ['2001:db8:9::1']), [200]);
  });

  test('a form post redirects to the page in its locale; a cross-origin one to the static site', async () => {
    const form = (headers: Record<string, string> = {}) =>
      post('port=3515&rating=helpful&locale=bg', headers, 'application/x-www-form-urlencoded');
    const same = await handleFeedback(form(), { ...context, clientAddress: '192.0.2.20' });
    assert.equal(same.status, 303);
    assert.equal(same.headers.get('location'), '/bg/ports/3515/?voted=helpful#voted-helpful');
    const cross = await handleFeedback(form({ Origin: STATIC }), { ...context, clientAddress: '192.0.2.21' });
    assert.equal(cross.headers.get('location'), `${STATIC}/bg/ports/3515/?voted=helpful#voted-helpful`);
    assert.equal(cross.headers.get('access-control-allow-origin'), STATIC);
    assert.equal(cross.headers.get('access-control-allow-credentials'), 'true');
    assert.match(cross.headers.get('set-cookie') ?? '', /SameSite=None; Secure/);
  });

  test('refuses other origins before reading the body', async () => {
    const response = await handleFeedback(
      post({ port: 3515, rating: 'helpful' }, { Origin: 'https://evil.example' }),
      context,
    );
    assert.equal(response.status, 403);
    assert.equal(preflight(post('', { Origin: 'https://evil.example' }), context.origins).status, 403);
    assert.equal(preflight(post('', { Origin: STATIC }), context.origins).status, 204);
  });

  test('answers 503 with Retry-After when the store cannot take the vote', async () => {
    const down: FeedbackStore = {
      backend: 'sqlite',
      ready: () => Promise.resolve(),
      cast: () => Promise.reject(new StoreUnavailableError('disk full')),
      dayKey: (_day, candidate) => Promise.resolve(candidate),
      report: async function* () {},
      count: () => Promise.resolve(0),
      close: () => Promise.resolve(),
    };
    const response = await handleFeedback(post({ port: 3515, rating: 'helpful' }), { ...context, store: down });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '30');
  });
});
