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

/** A store whose every vote meets a full disk. */
function downStore(): FeedbackStore {
  return {
    backend: 'sqlite',
    ready: () => Promise.resolve(),
    cast: () => Promise.reject(new StoreUnavailableError('disk full')),
    dayKey: (_day, candidate) => Promise.resolve(candidate),
    report: async function* () {},
    count: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
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

  describe('a refused vote from a browser without JavaScript', () => {
    const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const form = (body: string, headers: Record<string, string> = {}) =>
      post(body, { Accept: BROWSER, ...headers }, 'application/x-www-form-urlencoded');

    test('gets a page in the language of its page, saying why, with a link back to it', async () => {
      const household = { ...context, clientAddress: '192.0.2.40' };
      for (let i = 0; i < 3; i++) await handleFeedback(post({ port: 4010, rating: 'helpful' }), household);
      const refused = await handleFeedback(form('port=4010&rating=helpful&locale=fa'), household);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(refused.headers.get('content-language'), 'fa');
      assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
      const html = await refused.text();
      assert.match(html, /^<!DOCTYPE html>\n<html lang="fa" dir="rtl">/);
      assert.ok(html.includes('<h1>پاسخ شما شمرده نشد</h1>'));
      assert.ok(html.includes('به اندازهٔ کافی از خوانندگانِ شبکهٔ شما'), 'the widget’s own words for the cap');
      assert.ok(html.includes('<a href="/fa/ports/4010/#feedback">بازگشت به درگاه 4010</a>'));
      assert.doesNotMatch(html, /\{"error"/);
    });

    test('links back to the page it came from, when the browser names one of the site’s pages', async () => {
      const busy = { ...context, clientAddress: '192.0.2.41', limits: { ...context.limits, perMinute: 1 } };
      await handleFeedback(post({ port: 4011, rating: 'helpful' }), busy);
      const refused = await handleFeedback(
        form('port=4012&rating=helpful&locale=bg', { Referer: `${SITE}/bg/ports/4012/?x=1` }),
        busy,
      );
      assert.equal(refused.status, 429);
      const html = await refused.text();
      assert.match(html, /<html lang="bg" dir="ltr">/);
      assert.match(html, /твърде много отговори\. Моля, опитайте отново след \d+ секунди\./);
      assert.ok(html.includes('<a href="/bg/ports/4012/#feedback">Обратно към порт 4012</a>'));
      // Another site's page is no way back.
      const elsewhere = await handleFeedback(
        form('port=4012&rating=helpful&locale=bg', { Referer: 'https://evil.example/x' }),
        busy,
      );
      assert.ok((await elsewhere.text()).includes('href="/bg/ports/4012/#feedback"'));
    });

    test('that could not be read says so, with the reason in English, and escapes what it repeats', async () => {
      const refused = await handleFeedback(form('port=4013&rating=<b>great</b>&locale=en'), context);
      assert.equal(refused.status, 400);
      const html = await refused.text();
      assert.match(html, /<html lang="en" dir="ltr">/);
      assert.ok(html.includes('The answer could not be read.'));
      assert.match(
        html,
        /<p lang="en" dir="ltr"><small>rating must be one of not-helpful, somewhat, helpful<\/small><\/p>/,
      );
      assert.doesNotMatch(html, /<b>/);
    });

    test('when the store is down says so in its language', async () => {
      const refused = await handleFeedback(form('port=4014&rating=helpful&locale=bg'), {
        ...context,
        store: downStore(),
      });
      assert.equal(refused.status, 503);
      assert.ok((await refused.text()).includes('Гласът ви не можа да бъде записан в момента.'));
    });

    test('from a script, or without asking for HTML, is JSON as before', async () => {
      const refused = await handleFeedback(
        post('port=4015&rating=great', { Accept: 'application/json' }, 'application/x-www-form-urlencoded'),
        context,
      );
      assert.equal(refused.status, 400);
      assert.match(await errorOf(refused), /rating must be one of/);
      const plain = await handleFeedback(
        post('port=4015&rating=great', {}, 'application/x-www-form-urlencoded'),
        context,
      );
      assert.equal(plain.headers.get('content-type'), 'application/json; charset=utf-8');
    });
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
    const down = downStore();
    const response = await handleFeedback(post({ port: 3515, rating: 'helpful' }), { ...context, store: down });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '30');
  });
});
