/**
 * The feedback report over a real SQLite store: counts and comments come from the database a batch of pages at a
 * time, and the three writers (text, CSV, JSON) stream what the same rows would give read whole.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { HELP, parseReportArgs, UsageError } from '../../src/lib/feedback/report-args.ts';
import { toCsv, toJson, toText, type PageReport } from '../../src/lib/feedback/report.ts';
import { SqliteStore } from '../../src/lib/feedback/sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-report-'));
let store: SqliteStore;
let empty: SqliteStore;
let days: SqliteStore;

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

/**
 * Votes over three days as [port, day, network, rating, time, comment?]. Port 5 is the number without a page of
 * its own in the tests that know the pages (10, 20, 30).
 */
const DAY_VOTES: [number, string, string, string, string, string?][] = [
  [10, '2026-11-01', 'a', 'helpful', '08:00'],
  [10, '2026-11-01', 'a', 'helpful', '09:00'],
  [10, '2026-11-02', 'b', 'not-helpful', '10:00', 'late'],
  [20, '2026-11-01', 'c', 'not-helpful', '11:00', 'early'],
  [20, '2026-11-01', 'c', 'not-helpful', '12:00'],
  [30, '2026-11-03', 'd', 'somewhat', '13:00'],
  [5, '2026-11-02', 'e', 'not-helpful', '07:00'],
  [5, '2026-11-02', 'e', 'not-helpful', '07:10'],
  [5, '2026-11-02', 'f', 'not-helpful', '07:20'],
];
const PAGES = new Set([10, 20, 30]);
const ports = (pages: PageReport[]) => pages.map((p) => p.port);

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
  days = new SqliteStore(`file:${join(dir, 'days.db')}`);
  await days.ready();
  const daysDb = new DatabaseSync(days.path);
  const insertDay = daysDb.prepare(`INSERT INTO votes (port, voter, day, network, locale, rating, comment, reasons,
    created_at, updated_at, comment_rating, commented_at) VALUES (?1, ?2, ?3, ?4, 'en', ?5, ?6, '[]', ?7, ?7,
    CASE WHEN ?6 IS NULL THEN NULL ELSE ?5 END, CASE WHEN ?6 IS NULL THEN NULL ELSE ?7 END)`);
  DAY_VOTES.forEach(([port, day, network, rating, time, comment], i) => {
    insertDay.run(port, `voter-${i}`, day, network, rating, comment ?? null, `${day}T${time}:00.000Z`);
  });
  daysDb.close();
});

after(async () => {
  await store.close();
  await empty.close();
  await days.close();
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
      /^Port 1: 1 vote from 1 network — 😔 0 {2}🤨 1 {2}😃 0 {2}\(0% helpful; fa 1; last 2026-11-30T10:00:00\.000Z\)\n/,
    );
    assert.match(text, /\n {4}2026-11-30 11:00 \[en, not-helpful; other\] the command failed\n/);
    assert.equal(text.match(/^Port /gm)?.length, 6);
    const csv = (await joined(toCsv(store.report({ batch: 2 })))).trimEnd().split('\n');
    assert.equal(csv.length, 7);
    assert.match(
      csv[0]!,
      /^port,has_page,not-helpful,somewhat,helpful,total,networks,helpful_share,votes_en,votes_fa,votes_bg,/,
    );
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
    assert.match(await joined(toCsv(empty.report())), /^port,has_page,not-helpful,/);
  });

  test('counts the networks each page’s votes came from', async () => {
    const report = await collect(days.report({ sort: 'port' }));
    assert.deepEqual(
      report.map((p) => [p.port, p.total, p.networks]),
      [
        [5, 3, 2],
        [10, 3, 2],
        [20, 2, 1],
        [30, 1, 1],
      ],
    );
    assert.match(await joined(toText(days.report({ sort: 'port' }))), /^Port 5: 3 votes from 2 networks — /);
  });

  test('keeps only the votes, networks and comments of the days asked for, both days included', async () => {
    const on = async (window: { since?: string; until?: string }) =>
      (await collect(days.report({ sort: 'port', ...window }))).map((p) => ({
        port: p.port,
        total: p.total,
        networks: p.networks,
        comments: p.recentComments.map((c) => c.comment),
      }));
    assert.deepEqual(await on({ since: '2026-11-02', until: '2026-11-02' }), [
      { port: 5, total: 3, networks: 2, comments: [] },
      { port: 10, total: 1, networks: 1, comments: ['late'] },
    ]);
    assert.deepEqual(await on({ until: '2026-11-01' }), [
      { port: 10, total: 2, networks: 1, comments: [] },
      { port: 20, total: 2, networks: 1, comments: ['early'] },
    ]);
    assert.deepEqual(
      (await on({ since: '2026-11-03' })).map((p) => p.port),
      [30],
    );
    assert.deepEqual(await on({ since: '2026-12-01' }), []);
    // The window holds in the sorted order, whose comments are read by a list of ports.
    const sorted = await collect(days.report({ sort: 'problems', since: '2026-11-02', batch: 1 }));
    assert.deepEqual(
      sorted.map((p) => [p.port, p.total, p.recentComments.length]),
      [
        [5, 3, 0],
        [10, 1, 1],
        [30, 1, 0],
      ],
    );
  });

  test('sorts by most "not helpful" first, by most votes, or by newest vote, whatever the batch size', async () => {
    for (const batch of [1, 2, 250]) {
      assert.deepEqual(ports(await collect(days.report({ sort: 'problems', batch }))), [5, 20, 10, 30]);
      assert.deepEqual(ports(await collect(days.report({ sort: 'votes', batch }))), [5, 10, 20, 30]);
      assert.deepEqual(ports(await collect(days.report({ sort: 'recent', batch }))), [30, 10, 5, 20]);
    }
    const page10 = (await collect(days.report({ sort: 'problems', batch: 1 }))).find((p) => p.port === 10)!;
    assert.deepEqual(
      page10.recentComments.map((c) => c.comment),
      ['late'],
    );
  });

  test('lists numbers without a page of their own after the others, in every order, under a heading in text', async () => {
    for (const batch of [1, 2, 250]) {
      assert.deepEqual(ports(await collect(days.report({ sort: 'port', pages: PAGES, batch }))), [10, 20, 30, 5]);
      assert.deepEqual(ports(await collect(days.report({ sort: 'problems', pages: PAGES, batch }))), [20, 10, 30, 5]);
    }
    const report = await collect(days.report({ sort: 'port', pages: PAGES }));
    assert.deepEqual(
      report.map((p) => p.hasPage),
      [true, true, true, false],
    );
    const text = await joined(toText(days.report({ sort: 'port', pages: PAGES })));
    assert.match(text, /^Port 10: .*\n(?:.*\n)*Port 30: .*\n\nNumbers without a page of their own:\nPort 5: 3 votes/);
    assert.equal(text.match(/Numbers without a page/g)?.length, 1);
    const csv = parse<Record<string, string>>(await joined(toCsv(days.report({ sort: 'problems', pages: PAGES }))), {
      columns: true,
    });
    assert.deepEqual(
      csv.map((row) => [row['port'], row['has_page'], row['networks']]),
      [
        ['20', 'yes', '1'],
        ['10', 'yes', '2'],
        ['30', 'yes', '1'],
        ['5', 'no', '2'],
      ],
    );
    // Without the list, no heading, and the CSV column is empty rather than a guess.
    assert.doesNotMatch(await joined(toText(days.report())), /without a page/);
    assert.equal(
      parse<Record<string, string>>(await joined(toCsv(days.report())), { columns: true })[0]!['has_page'],
      '',
    );
  });
});

describe('the feedback:report command line', () => {
  test('reads formats, orders and a date window, most "not helpful" first by default', () => {
    assert.deepEqual(parseReportArgs([]), {
      format: 'text',
      sort: 'problems',
      since: undefined,
      until: undefined,
      pagesFile: undefined,
      noPages: false,
    });
    assert.deepEqual(parseReportArgs(['--csv', '--sort', 'port', '--since', '2026-11-01', '--until=2026-11-30']), {
      format: 'csv',
      sort: 'port',
      since: '2026-11-01',
      until: '2026-11-30',
      pagesFile: undefined,
      noPages: false,
    });
    assert.deepEqual(parseReportArgs(['--json', '--pages', 'x.json']), {
      format: 'json',
      sort: 'problems',
      since: undefined,
      until: undefined,
      pagesFile: 'x.json',
      noPages: false,
    });
    assert.equal(parseReportArgs(['--help']), 'help');
    assert.equal(parseReportArgs(['-h', '--csv']), 'help');
    assert.equal(parseReportArgs(['--nonsense', '--help']), 'help');
  });

  test('refuses a bad command line with a reason', () => {
    const cases: [string[], RegExp][] = [
      [['--jsn'], /Unknown option '--jsn'/],
      [['--json', '--csv'], /choose one format/],
      [['--sort', 'worst'], /--sort is one of problems, port, votes, recent, not 'worst'/],
      [['--since', '2026-02-30'], /--since wants a day as YYYY-MM-DD/],
      [['--until', '30/11/2026'], /--until wants a day as YYYY-MM-DD/],
      [['--since', '2026-12-01', '--until', '2026-11-01'], /--since 2026-12-01 is after --until 2026-11-01/],
      [['--since'], /argument missing/],
      [['--pages', 'a.json', '--no-pages'], /choose one/],
      [['json'], /Unexpected argument 'json'/],
    ];
    for (const [args, message] of cases) {
      assert.throws(
        () => parseReportArgs(args),
        (error: Error) => error instanceof UsageError && message.test(error.message),
      );
    }
  });

  const cli = (args: string[], url = `file:${join(dir, 'feedback.db')}`) =>
    spawnSync(process.execPath, ['src/cli/feedback-report.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, FEEDBACK_DB_URL: url },
    });

  test('npm run feedback:report -- --help prints the options and opens no store', () => {
    // A store that cannot be reached: help must not need one.
    const run = cli(['--help'], 'postgres://127.0.0.1:1/none');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, HELP);
    assert.equal(run.stderr, '');
    for (const flag of ['--json', '--csv', '--sort', '--since', '--until', '--pages', '--no-pages', '--help']) {
      assert.ok(HELP.includes(flag), flag);
    }
  });

  test('a bad flag exits with status 2 and one line of reason, no stack trace', () => {
    const run = cli(['--jsn'], 'postgres://127.0.0.1:1/none');
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, "feedback:report: Unknown option '--jsn'\nTry 'npm run feedback:report -- --help'.\n");
    assert.equal(cli(['--pages', join(dir, 'missing.json')]).status, 2);
  });

  test('reads the list of pages from a ports.json and puts numbers without one last', () => {
    const file = join(dir, 'ports.json');
    writeFileSync(
      file,
      JSON.stringify({ count: 3, ports: [...PAGES].map((port) => ({ port, url: `/ports/${port}/` })) }),
    );
    const out = execFileSync(
      process.execPath,
      ['src/cli/feedback-report.ts', '--csv', '--sort', 'port', '--pages', file, '--since', '2026-11-02'],
      { encoding: 'utf8', env: { ...process.env, FEEDBACK_DB_URL: `file:${days.path}` } },
    );
    assert.deepEqual(
      parse<Record<string, string>>(out, { columns: true }).map((row) => [row['port'], row['has_page'], row['total']]),
      [
        ['10', 'yes', '1'],
        ['30', 'yes', '1'],
        ['5', 'no', '3'],
      ],
    );
  });
});
