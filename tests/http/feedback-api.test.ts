/**
 * The feedback API over real HTTP: the production server on a free port with a temporary database file,
 * checked by reading that file back.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { unwrapDayKey, wrappingKey } from '../../src/lib/feedback/identity.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { cookieOf, readVotes, send, vote } from '../support/votes.ts';

const TOKEN = 'test-admin-token-123';
// The database and key outlive one server, so the restart test can start a second one on them.
const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-feedback-'));
const ENV = {
  FEEDBACK_DB_URL: `file:${join(dir, 'feedback.db')}`,
  FEEDBACK_KEY_FILE: join(dir, 'feedback.key'),
  FEEDBACK_RATE_LIMIT: '1000',
  FEEDBACK_ADMIN_TOKEN: TOKEN,
};
let server: RunningServer;
const dbFile = () => join(dir, 'feedback.db');

before(async () => {
  server = await startServer(ENV);
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/feedback', () => {
  test('stores a vote, hands the reader a cookie, and a repeat vote with it replaces the first', async () => {
    const first = await vote(server.origin, { port: 3515, rating: 'somewhat' });
    assert.equal(first.status, 200);
    assert.deepEqual(JSON.parse(first.body), { ok: true, port: 3515, rating: 'somewhat', vote: 'stored' });
    const cookie = cookieOf(first);
    assert.match(cookie ?? '', /^dp_voter=[\w-]{22}\.[\w-]{22}$/);
    assert.match(String(first.headers['set-cookie']), /HttpOnly; SameSite=Lax/);

    const again = await vote(
      server.origin,
      { port: 3515, rating: 'helpful', comment: 'Clear and sourced.', reasons: ['other'] },
      { cookie },
    );
    assert.equal((JSON.parse(again.body) as { vote: string }).vote, 'replaced');
    const rows = readVotes(dbFile()).filter((v) => v.port === 3515);
    assert.deepEqual(
      rows.map(({ rating, comment, reasons }) => ({ rating, comment, reasons })),
      [{ rating: 'helpful', comment: 'Clear and sourced.', reasons: '["other"]' }],
    );
  });

  test('a later answer without a comment keeps the comment already given', async () => {
    const first = await vote(server.origin, { port: 3000, rating: 'somewhat', comment: 'Stale.' });
    await vote(server.origin, { port: 3000, rating: 'helpful' }, { cookie: cookieOf(first) });
    const row = readVotes(dbFile()).find((v) => v.port === 3000);
    assert.deepEqual(row && [row.rating, row.comment], ['helpful', 'Stale.']);
  });

  test('takes a form post, records its locale and redirects back to the page’s thank-you in that locale', async () => {
    const answer = await send(server.origin, {
      method: 'POST',
      path: '/api/feedback',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
      body: 'port=3521&rating=not-helpful&locale=fa&comment=&website=',
    });
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.location, '/fa/ports/3521/?voted=not-helpful#voted-not-helpful');
    assert.ok(readVotes(dbFile()).some((v) => v.port === 3521 && v.rating === 'not-helpful' && v.locale === 'fa'));
  });

  test('answers a refused form post from a browser with a page in the reader’s language, linking back', async () => {
    const from = '127.0.4.4';
    for (let i = 0; i < 3; i++) assert.equal((await vote(server.origin, { port: 3999 }, { from })).status, 200);
    const answer = await send(server.origin, {
      method: 'POST',
      path: '/api/feedback',
      from,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: server.origin,
        Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      },
      body: 'port=3999&rating=not-helpful&locale=fa&comment=&website=',
    });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(answer.body, /<html lang="fa" dir="rtl">/);
    assert.ok(answer.body.includes('<a href="/fa/ports/3999/#feedback">بازگشت به درگاه 3999</a>'));
    // Still the API's policy: a page that runs nothing and loads nothing.
    assert.equal(answer.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    assert.equal(readVotes(dbFile()).filter((v) => v.port === 3999).length, 3);
  });

  test('accepts a vote on any port number, since every number has a page', async () => {
    assert.equal((await vote(server.origin, { port: 5938 })).status, 200);
    assert.equal((await vote(server.origin, { port: 0 })).status, 200);
  });

  const refusals: [string, () => ReturnType<typeof vote>, number, RegExp][] = [
    ['a port above 65535', () => vote(server.origin, { port: 70000 }), 400, /port: a port number is at most 65535/],
    ['a bad rating', () => vote(server.origin, { rating: 'great' }), 400, /rating must be one of/],
    ['an unknown field', () => vote(server.origin, { isAdmin: true }), 400, /unknown field: isAdmin/],
    ['a client-chosen voter id', () => vote(server.origin, { voter: 'abcdefgh' }), 400, /unknown field: voter/],
    ['an unknown locale', () => vote(server.origin, { locale: 'de' }), 400, /locale must be one of en, fa, bg/],
    ['a comment with control characters', () => vote(server.origin, { comment: 'hi\u0007' }), 400, /control/],
    ['a comment over 1,000 characters', () => vote(server.origin, { comment: 'x'.repeat(1001) }), 400, /at most 1000/],
    ['an oversized body', () => vote(server.origin, { comment: 'x'.repeat(5000) }), 413, /larger than 4096 bytes/],
    [
      'bad JSON',
      () =>
        send(server.origin, {
          method: 'POST',
          path: '/api/feedback',
          headers: { 'Content-Type': 'application/json' },
          body: '{"port": 3515,',
        }),
      400,
      /not valid JSON/,
    ],
    [
      'a wrong content type',
      () => vote(server.origin, {}, { headers: { 'Content-Type': 'text/plain' } }),
      415,
      /application\/json/,
    ],
    ['a foreign origin', () => vote(server.origin, {}, { headers: { Origin: 'https://evil.example' } }), 403, /cross/],
    [
      'a cross-site fetch',
      () => vote(server.origin, {}, { headers: { 'Sec-Fetch-Site': 'cross-site' } }),
      403,
      /cross/,
    ],
    ['a filled honeypot', () => vote(server.origin, { website: 'http://spam.example' }), 400, /robot/],
  ];
  for (const [name, post, status, reason] of refusals) {
    test(`refuses ${name} with ${status} and a JSON reason, storing nothing`, async () => {
      const before = readVotes(dbFile());
      const answer = await post();
      assert.equal(answer.status, status);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.match((JSON.parse(answer.body) as { error: string }).error, reason);
      assert.equal(answer.headers['set-cookie'], undefined);
      assert.deepEqual(readVotes(dbFile()), before);
    });
  }
});

describe('GET /api/feedback/summary', () => {
  test('needs the admin token', async () => {
    assert.equal((await send(server.origin, { path: '/api/feedback/summary' })).status, 401);
    const wrong = await send(server.origin, {
      path: '/api/feedback/summary',
      headers: { Authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 401);
  });

  test('reports votes per page and per locale with the token', async () => {
    const answer = await send(server.origin, {
      path: '/api/feedback/summary',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(answer.status, 200);
    const report = JSON.parse(answer.body) as {
      port: number;
      total: number;
      votes: Record<string, number>;
      locales: Record<string, number>;
      helpfulShare: number;
    }[];
    const page = report.find((p) => p.port === 3515);
    assert.deepEqual(page && { total: page.total, helpful: page.votes['helpful'], share: page.helpfulShare }, {
      total: 1,
      helpful: 1,
      share: 1,
    });
    assert.deepEqual(report.find((p) => p.port === 3521)?.locales, { en: 0, fa: 1, bg: 0 });
  });
});

describe('the feedback store across servers', () => {
  test('keeps every vote across a restart', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await vote(server.origin, { port: 4000 + i })).status, 200);
    const beforeRestart = readVotes(dbFile());
    await server.stop();
    server = await startServer(ENV);
    assert.deepEqual(readVotes(dbFile()), beforeRestart);
    assert.equal((await vote(server.origin, { port: 4100 })).status, 200);
    assert.equal(readVotes(dbFile()).length, beforeRestart.length + 1);
  });

  test('answers 429 with Retry-After once a network votes too often in a minute, storing nothing more', async () => {
    const limited = await startServer({ FEEDBACK_RATE_LIMIT: '3' });
    const file = limited.env['FEEDBACK_DB_URL']!.replace(/^file:/, '');
    try {
      // The limit counts votes per clock minute: start early in one, so all four fall in it on a busy machine too.
      const into = Date.now() % 60_000;
      if (into > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - into));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await vote(limited.origin, { port: 3000 + i })).status);
      assert.deepEqual(statuses, [200, 200, 200]);
      const before = readVotes(file);
      const refused = await vote(limited.origin, { port: 3010 });
      assert.equal(refused.status, 429);
      assert.match(String(refused.headers['retry-after']), /^\d+$/);
      assert.match((JSON.parse(refused.body) as { error: string }).error, /too many votes from this network/);
      assert.deepEqual(readVotes(file), before);
      // This server has no FEEDBACK_ADMIN_TOKEN, so the summary does not exist at all.
      assert.equal((await send(limited.origin, { path: '/api/feedback/summary' })).status, 404);
    } finally {
      await limited.stop();
    }
  });

  test('keeps serving pages while the store is unavailable, and says the vote was not saved', async () => {
    const broken = await startServer({ FEEDBACK_DB_URL: 'file:/dev/null/feedback.db' });
    try {
      const answer = await vote(broken.origin, {});
      assert.equal(answer.status, 503);
      assert.equal(answer.headers['retry-after'], '30');
      assert.match((JSON.parse(answer.body) as { error: string }).error, /could not be saved/);
      assert.equal((await send(broken.origin, { path: '/ports/3515/' })).status, 200);
      assert.equal((await vote(broken.origin, {})).status, 503);
      assert.equal(broken.process.exitCode, null);
    } finally {
      await broken.stop();
    }
  });
});

describe('the cap on one network’s votes', () => {
  test('counts an IPv6 /56 and /48 as one network each, not as 256 or 65,536 /64s', async () => {
    const own = await startServer({ TRUST_PROXY: 'loopback', FEEDBACK_RATE_LIMIT: '1000' });
    const counted = async (port: number, addresses: string[]) => {
      let stored = 0;
      for (const address of addresses) {
        const answer = await vote(own.origin, { port }, { headers: { 'X-Forwarded-For': address } });
        if (answer.status === 200) stored++;
        else assert.equal(answer.status, 429);
      }
      return stored;
    };
    try {
      const per56 = await counted(
        4300,
        Array.from({ length: 64 }, (_, i) => `2001:db8:56:${(0x5600 + i).toString(16)}::1`),
      );
      const per48 = await counted(
        4301,
        Array.from({ length: 64 }, (_, i) => `2001:db8:48:${(i << 8).toString(16)}::1`),
      );
      console.log(`counted votes on one page: ${per56} from 64 /64s of one /56, ${per48} from 64 /56s of one /48`);
      assert.equal(per56, 6);
      assert.equal(per48, 12);
    } finally {
      await own.stop();
    }
  });
});

describe('privacy with the default key file', () => {
  test('a copy of the store’s folder ties none of 7 votes to its address; the key kept elsewhere ties all 7', async () => {
    const data = mkdtempSync(join(tmpdir(), 'dormant-ports-data-'));
    const state = mkdtempSync(join(tmpdir(), 'dormant-ports-state-'));
    // FEEDBACK_KEY_FILE unset: the server chooses where its key goes.
    const own = await startServer({
      FEEDBACK_DB_URL: `file:${join(data, 'feedback.db')}`,
      FEEDBACK_KEY_FILE: '',
      XDG_STATE_HOME: state,
    });
    const addresses = Array.from({ length: 7 }, (_, i) => `127.0.9.${i + 1}`);
    try {
      for (const [i, from] of addresses.entries())
        assert.equal((await vote(own.origin, { port: 4200 + i }, { from })).status, 200);
      // A snapshot of the folder, as a backup tool takes it: every file, the log too.
      const copy = mkdtempSync(join(tmpdir(), 'dormant-ports-copy-'));
      cpSync(data, copy, { recursive: true });
      const day = new Date().toISOString().slice(0, 10);
      const traced = (key: Buffer) => {
        const db = new DatabaseSync(join(copy, 'feedback.db'), { readOnly: true });
        try {
          const { wrapped } = db.prepare('SELECT wrapped FROM day_keys WHERE day = ?').get(day) as { wrapped: string };
          const dayKey = unwrapDayKey(wrappingKey(key), day, wrapped);
          const networks = new Set(readVotes(join(copy, 'feedback.db')).map((v) => v.network));
          return addresses.filter((a) =>
            networks.has(createHmac('sha256', dayKey).update(`network\0${a}`).digest('base64url')),
          ).length;
        } catch {
          return 0;
        } finally {
          db.close();
        }
      };
      // Anything in the copy that could be a key: every file's bytes, as hex text or raw.
      const candidates = readdirSync(copy).flatMap((name) => {
        const bytes = readFileSync(join(copy, name));
        return [Buffer.from(bytes.toString('utf8').trim(), 'hex'), bytes].filter((key) => key.length >= 32);
      });
      assert.equal(Math.max(0, ...candidates.map(traced)), 0);
      const keyFile = join(state, 'dormant-ports', 'feedback.key');
      assert.equal(traced(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex')), 7);
      rmSync(copy, { recursive: true, force: true });
    } finally {
      await own.stop();
      rmSync(data, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    }
  });
});
