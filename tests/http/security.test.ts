/**
 * The production server as a hostile visitor finds it: one test per finding of the reliability review
 * (issue 12), each against the real server and a real database file.
 */
import assert from 'node:assert/strict';
import { createHmac, createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { freePort, isRunning, ROOT, startServer, waitFor, type RunningServer } from '../support/server.ts';
import { cookieOf, readVotes, send, vote } from '../support/votes.ts';
import { unwrapDayKey, wrappingKey } from '../../src/lib/feedback/identity.ts';

let server: RunningServer;
const dbFile = (s: RunningServer = server) => s.env['FEEDBACK_DB_URL']!.replace(/^file:/, '');

/** Every page request answered while `during` runs, of how many sent every 100 ms. */
async function pagesAnswered(origin: string, during: () => Promise<void>): Promise<[number, number]> {
  let sent = 0;
  let answered = 0;
  const state = { running: true };
  const probe = (async () => {
    while (state.running) {
      sent++;
      try {
        if ((await send(origin, { path: '/ports/3515/' })).status === 200) answered++;
      } catch {
        // Counted as not answered.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await during();
  state.running = false;
  await probe;
  return [answered, sent];
}

/** Sends raw bytes and returns whatever the server answers before it closes the connection. */
function raw(origin: string, bytes: string, timeout = 5000): Promise<string> {
  const url = new URL(origin);
  return new Promise((done) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeout, () => socket.destroy());
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => {
      done(text);
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

before(async () => {
  server = await startServer({ FEEDBACK_RATE_LIMIT: '1000' });
});
after(async () => {
  await server.stop();
});

describe('no request can crash a process', () => {
  test('TRACE on an API path gets 405 JSON, and a TRACE every 250 ms takes no page down', async () => {
    const workers = await server.workers();
    const [answered, sent] = await pagesAnswered(server.origin, async () => {
      for (let i = 0; i < 20; i++) {
        const answer = await send(server.origin, { method: 'TRACE', path: '/api/feedback' });
        assert.equal(answer.status, 405);
        assert.match(String(answer.headers['content-type']), /^application\/json/);
        assert.equal(answer.headers.allow, 'POST, OPTIONS');
        await new Promise((r) => setTimeout(r, 250));
      }
    });
    assert.equal(answered, sent);
    assert.deepEqual(await server.workers(), workers);
  });

  test('a malformed request target gets 400, with any method, and no worker exits', async () => {
    const workers = await server.workers();
    for (const target of [
      '//[/',
      'http://[/',
      'http://a:99999/',
      'http://%zz/',
      'http://1.2.3.4.5/',
      '/%zz',
      '/a/%2f/b',
    ]) {
      for (const method of ['GET', 'POST', 'HEAD', 'DELETE']) {
        const answer = await raw(server.origin, `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        assert.match(answer, /^HTTP\/1\.1 400 /, `${method} ${target}`);
      }
    }
    assert.deepEqual(await server.workers(), workers);
    assert.equal((await send(server.origin, { path: '/' })).status, 200);
  });

  test('a request the HTTP parser cannot read gets 400, and the worker lives on', async () => {
    // A broken chunked body is refused by Node's HTTP parser itself, before any route sees it.
    const answer = await raw(
      server.origin,
      'POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
    );
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.equal((await send(server.origin, { path: '/' })).status, 200);
  });
});

describe('one reader, one vote', () => {
  test('votes with made-up voter ids or User-Agents from one network count at most 3 times on a page', async () => {
    const before = readVotes(dbFile()).filter((v) => v.port === 3600).length;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await vote(server.origin, { port: 3600, voter: `id-${i}-xxxxxx` })).status);
    for (let i = 0; i < 25; i++) statuses.push((await vote(server.origin, { port: 3600 })).status);
    for (let i = 0; i < 5; i++) {
      const answer = await send(server.origin, {
        method: 'POST',
        path: '/api/feedback',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': `robot/${i}` },
        body: 'port=3600&rating=helpful',
      });
      statuses.push(answer.status);
    }
    const counted = readVotes(dbFile()).filter((v) => v.port === 3600).length - before;
    assert.equal(counted, 3);
    assert.equal(statuses.filter((s) => s === 200 || s === 303).length, 3);
    assert.ok(statuses.filter((s) => s === 429).length >= 27);
  });

  test('ten networks cast at most thirty counted votes on one page', async () => {
    let accepted = 0;
    for (let n = 2; n < 12; n++) {
      for (let i = 0; i < 10; i++) {
        if ((await vote(server.origin, { port: 3601 }, { from: `127.0.0.${n}` })).status === 200) accepted++;
      }
    }
    assert.equal(accepted, 30);
    assert.equal(readVotes(dbFile()).filter((v) => v.port === 3601).length, 30);
  });

  test('a reader who keeps the cookie replaces their vote instead of adding one', async () => {
    const first = await vote(server.origin, { port: 3602, rating: 'not-helpful' }, { from: '127.0.1.1' });
    const cookie = cookieOf(first);
    for (const rating of ['somewhat', 'helpful', 'somewhat', 'helpful']) {
      assert.equal((await vote(server.origin, { port: 3602, rating }, { from: '127.0.1.1', cookie })).status, 200);
    }
    assert.deepEqual(
      readVotes(dbFile())
        .filter((v) => v.port === 3602)
        .map((v) => v.rating),
      ['helpful'],
    );
  });

  test('a forged cookie is a new reader, not the one it imitates', async () => {
    const first = await vote(server.origin, { port: 3603 }, { from: '127.0.1.2' });
    const forged = `${cookieOf(first)!.slice(0, -4)}AAAA`;
    const second = await vote(
      server.origin,
      { port: 3603, rating: 'not-helpful' },
      { from: '127.0.1.2', cookie: forged },
    );
    assert.equal((JSON.parse(second.body) as { vote: string }).vote, 'stored');
    assert.equal(readVotes(dbFile()).filter((v) => v.port === 3603).length, 2);
  });
});

describe('privacy by construction', () => {
  test('no address can be found from a copy of the database by trying addresses', async () => {
    const address = '127.0.3.7';
    await vote(server.origin, { port: 3604, comment: 'from a known address' }, { from: address });
    const copy = join(server.dir, 'copy.db');
    // A backup as an operator would take it, consistent and complete.
    const live = new DatabaseSync(dbFile(), { readOnly: true });
    live.exec(`VACUUM INTO '${copy}'`);
    live.close();

    // Every value in the copy could be a key: try each with every common hash construction over 127.0.0.0/16.
    const db = new DatabaseSync(copy, { readOnly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    );
    assert.ok(!tables.includes('salts'), 'no salts table');
    const values = new Set<string>();
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM ${table}`).all()) {
        for (const value of Object.values(row)) if (value !== null) values.add(String(value));
      }
    }
    const stored = readVotes(copy).find((v) => v.port === 3604)!;
    db.close();
    const day = new Date().toISOString().slice(0, 10);
    const targets = new Set([stored.voter, stored.network]);
    const keys = [...values].filter((v) => v.length >= 16).slice(0, 40);
    let found = 0;
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const ip = `127.0.${a}.${b}`;
        const guesses = [
          createHash('sha256').update(ip).digest('base64url'),
          createHash('sha256').update(`${day}\n${ip}`).digest('base64url'),
          ...keys.map((key) => createHmac('sha256', key).update(`network\0${ip}`).digest('base64url')),
          ...keys.map((key) => createHash('sha256').update(`${key}\n${ip}\n`).digest('base64url')),
        ];
        if (guesses.some((guess) => targets.has(guess))) found++;
      }
    }
    assert.equal(found, 0);

    // The control: with the key file, which is not in the database, the day's key in the copy opens, and the same
    // search finds the address at once.
    const key = Buffer.from(readFileSync(server.env['FEEDBACK_KEY_FILE']!, 'utf8').trim(), 'hex');
    const copied = new DatabaseSync(copy, { readOnly: true });
    const { wrapped } = copied.prepare('SELECT wrapped FROM day_keys WHERE day = ?').get(day) as { wrapped: string };
    copied.close();
    const dayKey = unwrapDayKey(wrappingKey(key), day, wrapped);
    const hash = createHmac('sha256', dayKey).update(`network\0${address}`).digest('base64url');
    assert.equal(hash, stored.network);
    const bytes = readFileSync(copy);
    assert.ok(!bytes.includes(key.toString('hex')) && !bytes.includes(key), 'the key is not in the database file');
  });

  test('the key file is created with mode 0600, outside the database', () => {
    assert.equal(statSync(server.env['FEEDBACK_KEY_FILE']!).mode & 0o777, 0o600);
    assert.notEqual(join(server.env['FEEDBACK_KEY_FILE']!, '..'), dbFile());
  });

  test('salts an older version stored are overwritten on upgrade, not left readable in the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-upgrade-'));
    const file = join(dir, 'feedback.db');
    const salt = 'OLD-SALT-4f1c9b0a7d3e2c1b0a9f8e7d6c5b4a39';
    const old = new DatabaseSync(file);
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
      CREATE TABLE votes (port INTEGER NOT NULL, visitor TEXT NOT NULL, day TEXT NOT NULL, rating TEXT NOT NULL,
        comment TEXT, reasons TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (port, visitor, day));
      CREATE TABLE salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL);
      CREATE INDEX votes_by_port_time ON votes (port, updated_at);
      INSERT INTO schema_migrations VALUES (1, '2026-11-01'), (2, '2026-11-01');
      INSERT INTO salts VALUES ('2026-11-30', '${salt}');
      INSERT INTO votes VALUES (3515, 'v', '2026-11-30', 'helpful', NULL, '[]', 't', 't');`);
    old.close();
    assert.ok(readFileSync(file).includes(salt));
    const upgraded = await startServer({ FEEDBACK_DB_URL: `file:${file}` });
    try {
      assert.equal((await vote(upgraded.origin, { port: 3515 })).status, 200);
    } finally {
      await upgraded.stop();
    }
    for (const name of readdirSync(dir)) assert.ok(!readFileSync(join(dir, name)).includes(salt), name);
    assert.equal(readVotes(file).length, 2);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('strict input', () => {
  const cases: [string, unknown, RegExp][] = [
    ['true', true, /^port: expected a port number/],
    ['[3515]', [3515], /^port: expected a port number/],
    ['"0x0DBB"', '0x0DBB', /^port: expected a port number/],
    ['"1e3"', '1e3', /^port: expected a port number/],
    ['"3515"', '3515', /^port: expected a port number/],
    ['null', null, /^port: expected a port number/],
    ['""', '', /^port: expected a port number/],
    ['3515.5', 3515.5, /^port: expected a whole port number/],
  ];
  for (const [shown, port, reason] of cases) {
    test(`a JSON port of ${shown} is refused with 400 naming the field, not coerced`, async () => {
      const answer = await vote(server.origin, { port });
      assert.equal(answer.status, 400);
      assert.match((JSON.parse(answer.body) as { error: string }).error, reason);
    });
  }

  const form = (body: string, headers: Record<string, string> = {}) =>
    send(server.origin, {
      method: 'POST',
      path: '/api/feedback',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  const json = (body: string | Buffer, type = 'application/json') =>
    send(server.origin, { method: 'POST', path: '/api/feedback', headers: { 'Content-Type': type }, body });

  const refusals: [string, () => ReturnType<typeof send>, number, RegExp][] = [
    ['an empty form port', () => form('port=&rating=helpful'), 400, /^port: expected a port number/],
    ['a form port in hex', () => form('port=0x0DBB&rating=helpful'), 400, /^port: expected a port number/],
    ['a missing port', () => form('rating=helpful'), 400, /^port: the field is missing$/],
    ['a form field __proto__', () => form('port=3515&rating=helpful&__proto__=x'), 400, /unknown field: __proto__/],
    [
      'a JSON field __proto__',
      () => json('{"port":3515,"rating":"helpful","__proto__":{"x":1}}'),
      400,
      /unknown field: __proto__/,
    ],
    [
      'a field given twice',
      () => form('port=3515&rating=helpful&rating=somewhat'),
      400,
      /rating: the field is given more than once/,
    ],
    [
      'a reason listed twice',
      () => form('port=3515&rating=helpful&reasons=other&reasons=other'),
      400,
      /reasons must not list a reason twice/,
    ],
    [
      'bytes that are not UTF-8',
      () =>
        json(
          Buffer.from([
            ...Buffer.from('{"port":3515,"rating":"helpful","comment":"'),
            0xff,
            0xfe,
            ...Buffer.from('"}'),
          ]),
        ),
      400,
      /not valid UTF-8/,
    ],
    ['a lone surrogate', () => json('{"port":3515,"rating":"helpful","comment":"\\ud800"}'), 400, /valid Unicode/],
    [
      'a charset other than UTF-8',
      () => json('{"port":3515,"rating":"helpful"}', 'application/json; charset=iso-8859-1'),
      415,
      /UTF-8/,
    ],
    [
      'a comment of zero-width characters only',
      () => json('{"port":3515,"rating":"helpful","comment":"\\u200b\\u200c\\u2060"}'),
      400,
      /visible text/,
    ],
    [
      'a comment with a bidi override',
      () => json('{"port":3515,"rating":"helpful","comment":"evil\\u202Etxt.exe"}'),
      400,
      /bidirectional/,
    ],
  ];
  for (const [name, post, status, reason] of refusals) {
    test(`${name} gets a precise ${status} and stores nothing`, async () => {
      const before = readVotes(dbFile()).length;
      const answer = await post();
      assert.equal(answer.status, status);
      assert.match((JSON.parse(answer.body) as { error: string }).error, reason);
      assert.equal(readVotes(dbFile()).length, before);
    });
  }

  test('emoji joined with zero-width joiners are visible text and stored as sent', async () => {
    const family = '👨\u200d👩\u200d👧 thanks';
    const answer = await vote(server.origin, { port: 3605, comment: family }, { from: '127.0.4.1' });
    assert.equal(answer.status, 200);
    assert.equal(readVotes(dbFile()).find((v) => v.port === 3605)?.comment, family);
  });
});

describe('the vote budget and the log', () => {
  test('refused requests do not spend a reader’s vote budget', async () => {
    const tight = await startServer({ FEEDBACK_RATE_LIMIT: '5' });
    try {
      for (let i = 0; i < 30; i++) {
        const answer = await vote(tight.origin, {}, { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(answer.status, 415);
      }
      for (let i = 0; i < 10; i++) assert.equal((await vote(tight.origin, { port: 'x' })).status, 400);
      assert.equal((await vote(tight.origin, { port: 3606 })).status, 200);
    } finally {
      await tight.stop();
    }
  });

  test('an aborted POST is one short log line, not a stack trace', async () => {
    const before = server.output().split('\n').length;
    const url = new URL(server.origin);
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((done) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            'POST /api/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"port":',
          );
          setTimeout(() => {
            socket.destroy();
            done();
          }, 20);
        });
      });
    }
    await new Promise((r) => setTimeout(r, 500));
    const lines = server
      .output()
      .split('\n')
      .slice(before - 1)
      .filter(Boolean);
    assert.ok(lines.length <= 50, `${lines.length} lines for 50 aborts`);
    assert.ok(
      lines.every((line) => !/^\s+at /.test(line)),
      lines.join('\n'),
    );
    assert.equal((await send(server.origin, { path: '/' })).status, 200);
  });
});

describe('the API’s shape', () => {
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    test(`${method} /api/feedback is 405 JSON with Allow: POST, OPTIONS and the security headers`, async () => {
      const answer = await send(server.origin, { method, path: '/api/feedback' });
      assert.equal(answer.status, 405);
      assert.equal(answer.headers.allow, 'POST, OPTIONS');
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.match(String(answer.headers['content-security-policy']), /default-src 'none'/);
      assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(answer.headers['cache-control'], 'no-store');
    });
  }

  test('an unknown /api/ path is 404 JSON', async () => {
    const answer = await send(server.origin, { path: '/api/votes' });
    assert.equal(answer.status, 404);
    assert.match((JSON.parse(answer.body) as { error: string }).error, /no API at \/api\/votes/);
  });

  test('/_image is not a route: 404 with the page, and no log line', async () => {
    const before = server.output();
    for (const href of ['/etc/passwd', 'https://evil.example/x.png', '%00']) {
      const answer = await send(server.origin, { path: `/_image?href=${encodeURIComponent(href)}&w=10` });
      assert.equal(answer.status, 404);
    }
    assert.equal(server.output(), before);
  });

  test('a method HTTP does not know is 501, one it knows but pages do not take is 405', async () => {
    assert.match(await raw(server.origin, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 501 /);
    const answer = await send(server.origin, { method: 'DELETE', path: '/ports/3515/' });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, 'GET, HEAD');
  });
});

describe('faults in the store', () => {
  test('a database deleted while the server runs gets 503, and no vote is acknowledged into the lost file', async () => {
    // The database in a folder of the test's own: stop() removes the server's folder, and the votes must be read
    // after the restart.
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-deleted-'));
    const own = await startServer({
      FEEDBACK_RATE_LIMIT: '100000',
      FEEDBACK_VOTES_PER_NETWORK: '100000',
      FEEDBACK_DB_URL: `file:${join(dir, 'feedback.db')}`,
    });
    const file = dbFile(own);
    try {
      assert.equal((await vote(own.origin, { port: 3700 })).status, 200);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      const acknowledged: string[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const comment = `after-delete-${i}`;
        const answer = await vote(own.origin, { port: 3700, comment });
        statuses.add(answer.status);
        if (answer.status === 200) acknowledged.push(comment);
        else assert.equal(answer.headers['retry-after'], '30');
      }
      assert.deepEqual([...statuses], [503]);
      assert.equal((await send(own.origin, { path: '/ports/3515/' })).status, 200);
      // A worker started now makes a new database; the others notice the new file and still refuse.
      const [worker] = await own.workers();
      process.kill(worker!, 'SIGKILL');
      await waitFor(
        async () => (await own.workers()).length === 2 && !(await own.workers()).includes(worker!),
        'a new worker',
      );
      for (let i = 40; i < 80; i++) {
        const comment = `after-delete-${i}`;
        const answer = await vote(own.origin, { port: 3700, comment });
        if (answer.status === 200) acknowledged.push(comment);
      }
      const env = own.env;
      await own.stop();
      const restarted = await startServer(env);
      try {
        const stored = new Set(readVotes(file).map((v) => v.comment));
        assert.deepEqual(
          acknowledged.filter((c) => !stored.has(c)),
          [],
          'acknowledged votes lost',
        );
      } finally {
        await restarted.stop();
      }
    } finally {
      if (isRunning(own.process.pid ?? 0)) await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('workers starting together on a new database file all get it ready, with no error logged', async () => {
    for (let run = 0; run < 10; run++) {
      const own = await startServer({ SERVE_WORKERS: '2' });
      try {
        assert.equal((await vote(own.origin, { port: 3702 })).status, 200);
        assert.doesNotMatch(own.output(), /not ready|database is locked/);
      } finally {
        await own.stop();
      }
    }
  });

  test('a database another process keeps locked gets 503 JSON with Retry-After, and pages keep serving', async () => {
    const own = await startServer({ FEEDBACK_DB_BUSY_TIMEOUT_MS: '200' });
    try {
      assert.equal((await vote(own.origin, { port: 3701 })).status, 200);
      const holder = new DatabaseSync(dbFile(own));
      holder.exec('BEGIN EXCLUSIVE');
      try {
        const answer = await vote(own.origin, { port: 3702 });
        assert.equal(answer.status, 503);
        assert.equal(answer.headers['retry-after'], '30');
        assert.match((JSON.parse(answer.body) as { error: string }).error, /could not be saved/);
        assert.equal((await send(own.origin, { path: '/ports/3515/' })).status, 200);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      assert.equal((await vote(own.origin, { port: 3703 })).status, 200);
    } finally {
      await own.stop();
    }
  });

  test('a database the server cannot write gets 503 until it can again', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('root ignores file modes; the read-only and full-disk cases run in faults.test.ts on a tmpfs');
      return;
    }
    const own = await startServer({});
    try {
      chmodSync(dbFile(own), 0o444);
      await own.stop();
      const again = await startServer(own.env);
      assert.equal((await vote(again.origin, {})).status, 503);
      await again.stop();
    } finally {
      unlinkSync(dbFile(own));
    }
  });
});

describe('limits on connections', () => {
  test('a client that sends its headers too slowly is cut off', async () => {
    const own = await startServer({ SERVE_HEADERS_TIMEOUT_MS: '1000', SERVE_REQUEST_TIMEOUT_MS: '1500' });
    try {
      const url = new URL(own.origin);
      const started = Date.now();
      const closed = await new Promise<number>((done) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
          // Read what the server says (its 408), so its closing the connection is noticed.
          socket.resume();
          const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
          socket.on('close', () => {
            clearInterval(drip);
            done(Date.now() - started);
          });
          socket.on('error', () => undefined);
        });
      });
      assert.ok(closed < 4000, `closed after ${closed} ms`);
    } finally {
      await own.stop();
    }
  });

  test('connections beyond the cap are refused while the ones within it are answered', async () => {
    const own = await startServer({ SERVE_MAX_CONNECTIONS: '4', SERVE_WORKERS: '1' });
    const url = new URL(own.origin);
    const idle = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<ReturnType<typeof connect>>((done) => {
            const socket = connect(Number(url.port), url.hostname, () => {
              done(socket);
            });
          }),
      ),
    );
    try {
      const extra = await raw(own.origin, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 2000);
      assert.equal(extra, '');
    } finally {
      idle.forEach((socket) => socket.destroy());
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await send(own.origin, { path: '/' })).status, 200);
    await own.stop();
  });
});

describe('no single process whose death takes the site down', () => {
  test('killing the supervisor leaves the site answering, and a new supervisor takes over', async () => {
    const own = await startServer({});
    try {
      const first = await own.supervisor();
      const [answered, sent] = await pagesAnswered(own.origin, async () => {
        process.kill(first!, 'SIGKILL');
        await waitFor(async () => {
          const now = await own.supervisor();
          return now !== undefined && now !== first && (await own.workers()).length === 2;
        }, 'a new supervisor');
        await new Promise((r) => setTimeout(r, 1000));
      });
      assert.equal(answered, sent);
    } finally {
      await own.stop();
    }
  });

  test('killing a worker leaves the site answering, and the supervisor starts another', async () => {
    const own = await startServer({});
    try {
      const workers = await own.workers();
      const [answered, sent] = await pagesAnswered(own.origin, async () => {
        process.kill(workers[0]!, 'SIGKILL');
        await waitFor(async () => {
          const now = await own.workers();
          return now.length === 2 && !now.includes(workers[0]!);
        }, 'a new worker');
      });
      assert.ok(answered >= sent - 1, `${answered} of ${sent} answered`);
    } finally {
      await own.stop();
    }
  });
  test('a supervisor asked to stop just after a worker died stops, and leaves no process behind', async () => {
    const own = await startServer({});
    try {
      const supervisor = (await own.supervisor())!;
      // Requests in flight on both workers, so the one that lives on takes its time to stop.
      const slow = Array.from({ length: 6 }, () => {
        const socket = connect(own.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(
          `POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
        );
        return socket;
      });
      await new Promise((r) => setTimeout(r, 200));
      const [worker] = await own.workers();
      process.kill(worker!, 'SIGKILL');
      // Long enough for the supervisor to see the exit and schedule a restart, shorter than the restart's delay.
      await new Promise((r) => setTimeout(r, 20));
      process.kill(supervisor, 'SIGTERM');
      await waitFor(() => !isRunning(supervisor), 'the supervisor to stop', 15_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(serversOn(own.port), [], 'processes still serving the port');
      slow.forEach((socket) => socket.destroy());
    } finally {
      await own.stop();
    }
  });
});

/** Connections the server on `port` holds open with `client`, from the kernel's table (IPv4, Linux). */
function established(port: number, client: string): number {
  const hex = (address: string) =>
    address
      .split('.')
      .map((byte) => Number(byte).toString(16).padStart(2, '0').toUpperCase())
      .reverse()
      .join('');
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(([, from, to, state]) => from?.endsWith(local) && to?.startsWith(`${hex(client)}:`) && state === '01')
    .length;
}

/** Server processes started for `port`, found by the environment they were started with. */
function serversOn(port: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
        return (
          environ.includes(`PORT=${port}`) && readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes('serve.ts')
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('behind a reverse proxy', () => {
  test('X-Forwarded-For from a trusted proxy counts each forwarded client as its own network', async () => {
    const proxied = await startServer({ TRUST_PROXY: 'loopback' });
    try {
      let accepted = 0;
      for (let n = 1; n <= 5; n++) {
        for (let i = 0; i < 4; i++) {
          const answer = await vote(
            proxied.origin,
            { port: 3800 },
            { headers: { 'X-Forwarded-For': `203.0.113.${n}` } },
          );
          if (answer.status === 200) accepted++;
        }
      }
      assert.equal(accepted, 15);
    } finally {
      await proxied.stop();
    }
  });

  test('X-Forwarded-For from a peer that is not trusted is ignored', async () => {
    const direct = await startServer({ TRUST_PROXY: '10.0.0.1' });
    try {
      let accepted = 0;
      for (let n = 1; n <= 5; n++) {
        const answer = await vote(direct.origin, { port: 3801 }, { headers: { 'X-Forwarded-For': `203.0.113.${n}` } });
        if (answer.status === 200) accepted++;
      }
      assert.equal(accepted, 3);
    } finally {
      await direct.stop();
    }
  });
});

describe('round 3 of the red team (issue 21) and the untested defaults (issue 20)', () => {
  test('with TRUST_PROXY unset, X-Forwarded-For is ignored: a client cannot make itself new networks', async () => {
    const statuses = [];
    for (let n = 1; n <= 5; n++) {
      const headers = { 'X-Forwarded-For': `203.0.113.${n}` };
      statuses.push((await vote(server.origin, { port: 3810 }, { from: '127.0.5.1', headers })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });

  test('a trusted proxy’s X-Forwarded-For that is not an address is refused with 400 JSON, and counts nothing', async () => {
    const proxied = await startServer({ TRUST_PROXY: 'loopback' });
    try {
      for (const forwarded of ['not-an-ip-1', 'not-an-ip-2', '203.0.113.5:1234', '[2001:db8::1]', '203.0.113.7, x']) {
        const answer = await vote(proxied.origin, { port: 3811 }, { headers: { 'X-Forwarded-For': forwarded } });
        assert.equal(answer.status, 400, forwarded);
        assert.match((JSON.parse(answer.body) as { error: string }).error, /X-Forwarded-For/);
      }
      assert.equal(readVotes(dbFile(proxied)).length, 0);
      const good = await vote(proxied.origin, { port: 3811 }, { headers: { 'X-Forwarded-For': 'x, 203.0.113.8' } });
      assert.equal(good.status, 200);
    } finally {
      await proxied.stop();
    }
  });

  test('a request for a host this server does not serve gets 421 JSON, pages and API alike', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, 'rebind.127.0.0.1.nip.io']) {
      const page = await send(server.origin, { path: '/', headers: { Host: host } });
      assert.equal(page.status, 421, host);
      assert.match((JSON.parse(page.body) as { error: string }).error, /does not answer for the host/);
      const posted = await vote(server.origin, { port: 3812 }, { headers: { Host: host } });
      assert.equal(posted.status, 421, host);
    }
    assert.equal(readVotes(dbFile()).filter((v) => v.port === 3812).length, 0);
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST`, `[::1]:${server.port}`]) {
      assert.equal((await send(server.origin, { path: '/', headers: { Host: host } })).status, 200, host);
    }
  });

  test('the hosts are SITE_URL’s, FEEDBACK_ORIGINS’ and SERVE_HOSTS’, or any with SERVE_HOSTS=*', async () => {
    const named = await startServer({
      SITE_URL: 'https://dormantports.example',
      FEEDBACK_ORIGINS: 'https://copy.example:8443',
      SERVE_HOSTS: 'www.dormantports.example',
    });
    const any = await startServer({ SERVE_HOSTS: '*' });
    try {
      for (const host of ['dormantports.example', 'copy.example', 'www.dormantports.example', '127.0.0.1']) {
        assert.equal((await send(named.origin, { path: '/', headers: { Host: host } })).status, 200, host);
      }
      assert.equal((await send(named.origin, { path: '/', headers: { Host: 'evil.example' } })).status, 421);
      assert.equal((await send(any.origin, { path: '/', headers: { Host: 'evil.example' } })).status, 200);
    } finally {
      await Promise.all([named.stop(), any.stop()]);
    }
  });

  test('a post without Origin whose Referer is another site’s page is refused, one from the site’s own is not', async () => {
    const post = (referer: string) =>
      send(server.origin, {
        method: 'POST',
        path: '/api/feedback',
        from: '127.0.5.2',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: referer },
        body: 'port=3813&rating=helpful',
      });
    const refused = await post('https://evil.example/ports/3813/');
    assert.equal(refused.status, 403);
    assert.match((JSON.parse(refused.body) as { error: string }).error, /cross-site/);
    assert.equal(readVotes(dbFile()).filter((v) => v.port === 3813).length, 0);
    assert.equal((await post(`${server.origin}/ports/3813/`)).status, 303);
  });

  test('answers the HTTP parser gives, and CONNECT’s, carry the security headers and a JSON reason', async () => {
    for (const [request, status] of [
      ['GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
      ['BREW / HTTP/1.1\r\nHost: x\r\n\r\n', 501],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 405],
    ] as const) {
      const answer = await raw(server.origin, request);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), request.slice(0, 30));
      for (const header of [
        /^Strict-Transport-Security: /m,
        /^X-Content-Type-Options: nosniff/m,
        /default-src 'none'/,
      ]) {
        assert.match(answer, header, request.slice(0, 30));
      }
      assert.match(answer, /\r\n\r\n\{"error":"[^"]+"\}$/);
    }
  });

  test('a keep-alive connection goes on cleanly after a body too large, then one that is not JSON', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (chunks: string[]) =>
      new Promise<number>((done, fail) => {
        const req = request(`${server.origin}/api/feedback`, {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json' },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => {
            done(res.statusCode ?? 0);
          });
        });
        req.on('error', fail);
        // Chunked, as a client streaming its body sends it: the server cannot tell the size beforehand.
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    try {
      assert.equal(await post(Array.from({ length: 20 }, () => 'x'.repeat(10_000))), 413);
      assert.equal(await post(['{"port":']), 400);
      for (let i = 0; i < 3; i++) assert.equal((await send(server.origin, { path: '/' })).status, 200);
      const page = await new Promise<number>((done, fail) => {
        request(`${server.origin}/`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            done(res.statusCode ?? 0);
          });
        })
          .on('error', fail)
          .end();
      });
      assert.equal(page, 200);
    } finally {
      agent.destroy();
    }
  });

  test('CONNECT followed by a TCP reset, again and again, takes no worker down', async () => {
    const workers = await server.workers();
    const url = new URL(server.origin);
    for (let i = 0; i < 40; i++) {
      await new Promise<void>((done) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
          setTimeout(() => socket.resetAndDestroy(), i % 4);
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          done();
        });
      });
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await server.workers(), workers);
    assert.equal((await send(server.origin, { path: '/' })).status, 200);
  });

  test('400 clients that never read their answer lock nobody else out, and are closed once idle', async () => {
    const own = await startServer({
      SERVE_MAX_CONNECTIONS: '100',
      SERVE_WORKERS: '2',
      SERVE_IDLE_TIMEOUT_MS: '2000',
      SERVE_KEEP_ALIVE_TIMEOUT_MS: '1000',
    });
    const readers: ReturnType<typeof connect>[] = [];
    try {
      for (let i = 0; i < 400; i++) {
        const socket = connect({ port: own.port, host: '127.0.0.1', localAddress: '127.0.6.1' });
        socket.on('error', () => undefined);
        // The whole dataset, as it is: far more than the socket buffers take, and then never a byte read.
        socket.write('GET /ports.json HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n');
        socket.pause();
        readers.push(socket);
      }
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      for (let i = 0; i < 10; i++) {
        const answer = await send(own.origin, { path: '/search/', from: `127.0.6.${10 + i}` });
        assert.equal(answer.status, 200);
      }
      assert.ok(Date.now() - started < 5000, `10 pages took ${Date.now() - started} ms`);
      // Counted on the server's side: a reader that reads nothing would not notice its connection closing.
      assert.ok(established(own.port, '127.0.6.1') <= 2 * 64, 'each worker holds at most its share of them');
      await waitFor(() => established(own.port, '127.0.6.1') === 0, 'the server to drop every idle reader', 10_000);
    } finally {
      readers.forEach((socket) => socket.destroy());
      await own.stop();
    }
  });
});

describe('settings an operator got wrong', () => {
  for (const [name, env, message] of [
    ['a FEEDBACK_SECRET too short to be a key', { FEEDBACK_SECRET: 'abc' }, /FEEDBACK_SECRET must hold at least 32/],
    [
      'a PostgreSQL store without a shared secret',
      { FEEDBACK_DB_URL: 'postgres://u:p@127.0.0.1:1/db' },
      /FEEDBACK_SECRET must be set/,
    ],
  ] as const) {
    test(`${name} stops the server at once with status 2 and the reason, instead of restarting workers for ever`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-config-'));
      try {
        const started = Date.now();
        const result = spawnSync(process.execPath, [join(ROOT, 'src/server/serve.ts')], {
          cwd: dir,
          env: {
            ...process.env,
            HOST: '127.0.0.1',
            PORT: String(await freePort()),
            SERVE_ROOT: join(ROOT, 'dist'),
            ...env,
          },
          encoding: 'utf8',
          timeout: 20_000,
        });
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr, message);
        assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
