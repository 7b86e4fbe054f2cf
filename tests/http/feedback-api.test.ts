/**
 * The feedback API over real HTTP: the production server on a free port with a temporary database file,
 * checked by reading that file back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FeedbackStore } from '../../src/lib/feedback/store.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-feedback-'));
const dbUrl = `file:${join(dir, 'feedback.db')}`;
const TOKEN = 'test-admin-token-123';
let server: RunningServer;

async function storedVotes() {
  const store = new FeedbackStore({ url: dbUrl });
  try {
    return await store.votes();
  } finally {
    store.close();
  }
}

function post(body: string, headers: Record<string, string> = {}, origin = server.origin) {
  return fetch(`${origin}/api/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    redirect: 'manual',
  });
}

const vote = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ port: 3515, rating: 'helpful', voter: 'reader-0001', ...extra });

before(async () => {
  server = await startServer({ FEEDBACK_DB_URL: dbUrl, FEEDBACK_RATE_LIMIT: '1000', FEEDBACK_ADMIN_TOKEN: TOKEN });
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/feedback', () => {
  test('stores a valid vote, and a repeat from the same reader the same day replaces it', async () => {
    const first = await post(vote({ rating: 'somewhat' }));
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { ok: true, port: 3515, rating: 'somewhat' });
    const again = await post(vote({ rating: 'helpful', comment: 'Clear and sourced.', reasons: ['other'] }));
    assert.equal(again.status, 200);
    const votes = (await storedVotes()).filter((v) => v.port === 3515);
    assert.equal(votes.length, 1);
    assert.deepEqual(
      votes.map(({ rating, comment, reasons }) => ({ rating, comment, reasons })),
      [{ rating: 'helpful', comment: 'Clear and sourced.', reasons: ['other'] }],
    );
  });

  test('takes a form post and redirects back to the page’s #feedback', async () => {
    const response = await post('port=3521&rating=not-helpful&comment=&website=', {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: server.origin,
    });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/ports/3521/?voted=not-helpful#feedback');
    assert.ok((await storedVotes()).some((v) => v.port === 3521 && v.rating === 'not-helpful'));
  });

  const refusals: [string, () => Promise<Response>, number, RegExp][] = [
    ['an unknown page', () => post(vote({ port: 3546 })), 404, /no page for port 3546/],
    ['a bad rating', () => post(vote({ rating: 'great' })), 400, /rating must be one of/],
    ['an unknown field', () => post(vote({ isAdmin: true })), 400, /unknown field: isAdmin/],
    ['a comment with control characters', () => post(vote({ comment: 'hi\u0007' })), 400, /control characters/],
    ['a comment over 1,000 characters', () => post(vote({ comment: 'x'.repeat(1001) })), 400, /at most 1000/],
    ['an oversized body', () => post(vote({ comment: 'x'.repeat(5000) })), 413, /larger than 4096 bytes/],
    ['bad JSON', () => post('{"port": 3515,'), 400, /not valid JSON/],
    ['a wrong content type', () => post(vote(), { 'Content-Type': 'text/plain' }), 415, /application\/json/],
    ['a foreign origin', () => post(vote(), { Origin: 'https://evil.example' }), 403, /cross-site/],
    ['a cross-site fetch', () => post(vote(), { 'Sec-Fetch-Site': 'cross-site' }), 403, /cross-site/],
    ['a filled honeypot', () => post(vote({ website: 'http://spam.example' })), 400, /robot/],
  ];
  for (const [name, send, status, reason] of refusals) {
    test(`refuses ${name} with ${status} and a JSON reason, storing nothing`, async () => {
      const before = await storedVotes();
      const response = await send();
      assert.equal(response.status, status);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as { error?: string };
      assert.match(body.error ?? '', reason);
      assert.deepEqual(await storedVotes(), before);
    });
  }
});

describe('GET /api/feedback/summary', () => {
  test('needs the admin token', async () => {
    assert.equal((await fetch(`${server.origin}/api/feedback/summary`)).status, 401);
    const wrong = await fetch(`${server.origin}/api/feedback/summary`, { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
  });

  test('reports votes per page with the token', async () => {
    const response = await fetch(`${server.origin}/api/feedback/summary`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    const report = (await response.json()) as {
      port: number;
      total: number;
      votes: Record<string, number>;
      helpfulShare: number;
    }[];
    const page = report.find((p) => p.port === 3515);
    assert.deepEqual(page && { total: page.total, helpful: page.votes['helpful'], share: page.helpfulShare }, {
      total: 1,
      helpful: 1,
      share: 1,
    });
  });
});

describe('the feedback store across servers', () => {
  test('keeps every vote across a restart', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await post(vote({ voter: `restart-${i}-reader`, rating: 'somewhat' }))).status, 200);
    const beforeRestart = await storedVotes();
    await server.stop();
    server = await startServer({ FEEDBACK_DB_URL: dbUrl, FEEDBACK_RATE_LIMIT: '1000', FEEDBACK_ADMIN_TOKEN: TOKEN });
    assert.deepEqual(await storedVotes(), beforeRestart);
    assert.equal((await post(vote({ voter: 'after-restart' }))).status, 200);
    assert.equal((await storedVotes()).length, beforeRestart.length + 1);
  });

  test('answers 429 with Retry-After once a client exceeds the rate limit, storing nothing more', async () => {
    const limited = await startServer({ FEEDBACK_DB_URL: dbUrl, FEEDBACK_RATE_LIMIT: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await post(vote({ voter: `limit-${i}-reader` }), {}, limited.origin)).status);
      assert.deepEqual(statuses, [200, 200, 200]);
      const before = await storedVotes();
      const refused = await post(vote({ voter: 'limit-x-reader' }), {}, limited.origin);
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
      assert.match(((await refused.json()) as { error: string }).error, /too many votes/);
      assert.deepEqual(await storedVotes(), before);
      // This server has no FEEDBACK_ADMIN_TOKEN, so the summary does not exist at all.
      assert.equal((await fetch(`${limited.origin}/api/feedback/summary`)).status, 404);
    } finally {
      await limited.stop();
    }
  });

  test('keeps serving pages while the store is unavailable, and says the vote was not saved', async () => {
    const broken = await startServer({ FEEDBACK_DB_URL: 'file:/dev/null/feedback.db' });
    try {
      const response = await post(vote(), {}, broken.origin);
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { error: string }).error, /could not be saved/);
      assert.equal((await fetch(`${broken.origin}/ports/3515/`)).status, 200);
      assert.equal((await post(vote(), {}, broken.origin)).status, 503);
      assert.equal(broken.process.exitCode, null);
    } finally {
      await broken.stop();
    }
  });
});
