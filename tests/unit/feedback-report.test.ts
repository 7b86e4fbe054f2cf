/**
 * The feedback report over a real SQLite store: counts and comments come from the database a batch of pages at a
 * time, and the three writers (text, CSV, JSON) stream what the same rows would give read whole.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { toCsv, toJson, toText, type PageReport } from '../../src/lib/feedback/report.ts';
import { SqliteStore } from '../../src/lib/feedback/sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-report-'));
let store: SqliteStore;
let empty: SqliteStore;

/** Votes as [port, locale, rating, time of day, comment?]; each a different reader on 2026-11-30. */
const VOTES: [number, string, string, string, string?][] = [
  [5, 'en', 'helpful', '09:00'],
  [1, 'fa', 'somewhat', '10:00', 'خوب بود'],
  [3, 'en', 'not-helpful', '11:00', 'the command failed'],
  [3, 'bg', 'helpful', '12:00'],
  [2, 'en', 'helpful', '08:00'],
  [4, 'en', 'helpful', '07:00'],
  [7, 'en', 'helpful', '01:00', 'first'],
  [7, 'en', 'somewhat', '03:00', 'third'],
  [7, 'fa', 'helpful', '02:00', 'second'],
  [7, 'en', 'not-helpful', '04:00', 'fourth'],
];

const collect = (pages: AsyncIterable<PageReport>) => Array.fromAsync(pages);
const joined = async (chunks: AsyncIterable<string>) => (await Array.fromAsync(chunks)).join('');

before(async () => {
  store = new SqliteStore(`file:${join(dir, 'feedback.db')}`);
  await store.ready();
  const db = new DatabaseSync(store.path);
  const insert = db.prepare(`INSERT INTO votes (port, voter, day, network, locale, rating, comment, reasons,
    created_at, updated_at, comment_rating, commented_at) VALUES (?, ?, '2026-11-30', 'n', ?, ?, ?, ?, ?, ?, ?, ?)`);
  VOTES.forEach(([port, locale, rating, time, comment], i) => {
    const at = `2026-11-30T${time}:00.000Z`;
    insert.run(
      port,
      `voter-${i}`,
      locale,
      rating,
      comment ?? null,
      comment ? '["other"]' : '[]',
      at,
      at,
      comment ? rating : null,
      comment ? at : null,
    );
  });
  db.close();
  empty = new SqliteStore(`file:${join(dir, 'empty.db')}`);
  await empty.ready();
});

after(async () => {
  await store.close();
  await empty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the feedback report', () => {
  test('counts every page by rating and locale, in port order, whatever the batch size', async () => {
    const whole = await collect(store.report());
    assert.deepEqual(
      whole.map((p) => p.port),
      [1, 2, 3, 4, 5, 7],
    );
    for (const batch of [1, 2, 5, 6]) assert.deepEqual(await collect(store.report({ batch })), whole, `batch ${batch}`);
    const page3 = whole.find((p) => p.port === 3)!;
    assert.deepEqual(page3.votes, { 'not-helpful': 1, somewhat: 0, helpful: 1 });
    assert.deepEqual(page3.locales, { en: 1, fa: 0, bg: 1 });
    assert.equal(page3.total, 2);
    assert.equal(page3.helpfulShare, 0.5);
    assert.equal(page3.lastVote, '2026-11-30T12:00:00.000Z');
  });

  test("lists a page's newest comments first, at most as many as asked for", async () => {
    const page7 = (await collect(store.report({ recentComments: 3, batch: 2 }))).find((p) => p.port === 7)!;
    assert.deepEqual(
      page7.recentComments.map((c) => c.comment),
      ['fourth', 'third', 'second'],
    );
    assert.deepEqual(page7.recentComments[0], {
      at: '2026-11-30T04:00:00.000Z',
      rating: 'not-helpful',
      locale: 'en',
      comment: 'fourth',
      reasons: ['other'],
    });
    const none = await collect(store.report({ recentComments: 0 }));
    assert.ok(none.every((p) => p.recentComments.length === 0));
  });

  test('writes JSON exactly as JSON.stringify would write the whole report', async () => {
    const whole = await collect(store.report());
    assert.equal(await joined(toJson(store.report({ batch: 2 }))), JSON.stringify(whole));
    assert.equal(await joined(toJson(store.report({ batch: 2 }), 2)), `${JSON.stringify(whole, null, 2)}\n`);
    assert.equal(await joined(toJson(empty.report(), 2)), '[]\n');
  });

  test('writes a line per page and per comment as text, and one CSV row per page under one header', async () => {
    const text = await joined(toText(store.report({ batch: 2 })));
    assert.match(
      text,
      /^Port 1: 1 vote — 😔 0 {2}🤨 1 {2}😃 0 {2}\(0% helpful; fa 1; last 2026-11-30T10:00:00\.000Z\)\n/,
    );
    assert.match(text, /\n {4}2026-11-30 11:00 \[en, not-helpful; other\] the command failed\n/);
    assert.equal(text.match(/^Port /gm)?.length, 6);
    const csv = (await joined(toCsv(store.report({ batch: 2 })))).trimEnd().split('\n');
    assert.equal(csv.length, 7);
    assert.match(csv[0]!, /^port,not-helpful,somewhat,helpful,total,helpful_share,votes_en,votes_fa,votes_bg,/);
    assert.equal(csv.filter((line) => line.startsWith('port,')).length, 1);
  });

  test('writes a comment that a spreadsheet would run as a formula as text', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'dormant-ports-csv-'));
    const formulas = new SqliteStore(`file:${join(dir2, 'feedback.db')}`);
    try {
      await formulas.ready();
      const db = new DatabaseSync(formulas.path);
      const insert = db.prepare(`INSERT INTO votes (port, voter, day, network, locale, rating, comment, reasons,
        created_at, updated_at, comment_rating, commented_at)
        VALUES (?1, ?2, '2026-11-30', 'n', 'en', 'not-helpful', ?3, '[]', ?4, ?4, 'not-helpful', ?4)`);
      const comments = ['=HYPERLINK("https://evil.example","Click")', '+1', '-2+3', '@SUM(A1)', '\t=1', 'fine = ok'];
      comments.forEach((comment, i) => {
        insert.run(100 + i, `v${i}`, comment, '2026-11-30T10:00:00.000Z');
      });
      db.close();
      const rows = parse<Record<string, string>>(await joined(toCsv(formulas.report())), { columns: true });
      assert.deepEqual(
        rows.map((row) => row['recent_comments']),
        ['\'=HYPERLINK("https://evil.example","Click")', "'+1", "'-2+3", "'@SUM(A1)", "'\t=1", 'fine = ok'],
      );
    } finally {
      await formulas.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  test('says so when there are no votes yet', async () => {
    assert.equal(await joined(toText(empty.report())), 'No votes yet.\n');
    assert.match(await joined(toCsv(empty.report())), /^port,not-helpful,/);
  });
});
