/** The production server's static files over real HTTP: compression, validators, ranges and errors. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { readConfig } from '../../src/server/config.ts';
import { DIST, startServer, type RunningServer } from '../support/server.ts';
import { send } from '../support/votes.ts';

let server: RunningServer;
// Compressed copies of its own, so every page's first request in this file is the first there has been.
const cacheDir = mkdtempSync(join(tmpdir(), 'dormant-ports-cache-'));
before(async () => {
  server = await startServer({ SERVE_CACHE_DIR: cacheDir });
});
after(async () => {
  await server.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Like `send`, but keeping the body as bytes. */
async function bytes(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(`${server.origin}${path}`, { method, headers, redirect: 'manual' });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/** Port pages of the build, whatever ports it has articles for, in a fixed order. */
const portPages = readdirSync(join(DIST, 'ports'))
  .filter((name) => /^\d+$/.test(name))
  .sort((a, b) => Number(a) - Number(b))
  .map((name) => `/ports/${name}/`);

/** A port page whatever ports have articles: the test never depends on which do. */
const PAGE = portPages[Math.floor(portPages.length / 2)]!;
const page = readFileSync(join(DIST, PAGE, 'index.html'));
/** One request on a connection of its own, so the kernel may hand it to any worker: status, length, body size. */
function lengthOf(path: string, method: string, accept: string): Promise<[number, number, number]> {
  return new Promise((done, fail) => {
    const url = new URL(`${server.origin}${path}`);
    const req = get(url, { method, agent: false, headers: { 'Accept-Encoding': accept } }, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => (size += chunk.length));
      res.on('end', () => {
        done([res.statusCode ?? 0, Number(res.headers['content-length']), size]);
      });
    });
    req.on('error', fail);
  });
}

describe('compression', () => {
  test('sends Brotli when the client takes it, gzip when it takes only that, and says Vary', async () => {
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      const answer = await send(server.origin, { path: PAGE, headers: { 'Accept-Encoding': accept } });
      assert.equal(answer.headers['content-encoding'], encoding);
      assert.equal(answer.headers.vary, 'Accept-Encoding');
      // node:http hands the body over as it came; decode it by hand to compare with the file.
      // (The same response's length: the quick compression may have been replaced by the thorough one since.)
      const [raw, length] = await new Promise<[Buffer, number]>((done) => {
        void import('node:http').then(({ get }) => {
          get(`${server.origin}${PAGE}`, { headers: { 'Accept-Encoding': accept } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              done([Buffer.concat(chunks), Number(res.headers['content-length'])]);
            });
          });
        });
      });
      assert.equal(length, raw.length);
      assert.deepEqual(decode(raw), page);
      assert.ok(raw.length < page.length / 2);
    }
  });

  test('sends the file as it is to a client that asks for no encoding, with its exact length', async () => {
    const answer = await send(server.origin, { path: PAGE, headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.headers.vary, 'Accept-Encoding');
    assert.equal(Number(answer.headers['content-length']), page.length);
  });

  test('HEAD and GET agree on a page’s compressed length whichever worker answers, from its first request on', async () => {
    // Pages no other test asks for, so their first request is part of this one.
    for (const path of portPages.filter((_, i) => i % 997 === 5).slice(0, 6)) {
      const lengths = new Set<number>();
      for (let round = 0; round < 4; round++) {
        const answers = await Promise.all(
          ['HEAD', 'GET', 'HEAD', 'GET'].map((method) => lengthOf(path, method, 'gzip, deflate, br')),
        );
        for (const [status, length, size] of answers) {
          assert.equal(status, 200);
          lengths.add(length);
          if (size > 0) assert.equal(size, length);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.equal(lengths.size, 1, `${path}: Content-Length ${[...lengths].join(' and ')}`);
    }
  });

  test('a client that refuses Brotli with q=0 gets gzip or the file as it is, never Brotli', async () => {
    for (const [accept, encoding] of [
      ['br;q=0, gzip', 'gzip'],
      ['gzip;q=0.5, br;q=0', 'gzip'],
      ['br;q=0', undefined],
      ['br;q=0, gzip;q=0', undefined],
    ] as const) {
      const answer = await send(server.origin, { path: PAGE, headers: { 'Accept-Encoding': accept } });
      assert.equal(answer.headers['content-encoding'], encoding, accept);
    }
  });

  test('keeps its compressed copies outside dist/, so they count against no static host’s budget', async () => {
    // As it crossed the wire: fetch() would decode it.
    const body = await new Promise<Buffer>((done, fail) => {
      get(`${server.origin}${PAGE}`, { headers: { 'Accept-Encoding': 'br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          done(Buffer.concat(chunks));
        });
      }).on('error', fail);
    });
    assert.ok(readFileSync(join(cacheDir, PAGE, 'index.html.br')).equals(body));
    // By default beside the build, not in it.
    assert.equal(readConfig({ SERVE_ROOT: DIST }).cacheDir, join(DIST, '..', 'dist-server'));
    assert.ok(!existsSync(join(DIST, PAGE, 'index.html.br')));
    const inDist = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? inDist(join(dir, entry.name)) : /\.(br|gz)$/.test(entry.name) ? [entry.name] : [],
      );
    assert.deepEqual(inDist(DIST), []);
  });

  test('a cache folder that can no longer be written leaves pages served as they are, not refused', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'dormant-ports-cache-'));
    const own = await startServer({ SERVE_CACHE_DIR: broken });
    try {
      // A file where the folder was: no copy can be made under it.
      rmSync(broken, { recursive: true });
      writeFileSync(broken, '');
      const answer = await send(own.origin, { path: PAGE, headers: { 'Accept-Encoding': 'br' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-encoding'], undefined);
      assert.equal(Number(answer.headers['content-length']), page.length);
      assert.match(own.output(), /cannot keep a compressed copy/);
    } finally {
      await own.stop();
      rmSync(broken, { force: true });
    }
  });

  test('passes Pagefind’s already compressed index files through untouched', async () => {
    const fragments = readdirSync(join(DIST, 'pagefind/fragment'));
    const path = `/pagefind/fragment/${fragments[0]!}`;
    const answer = await send(server.origin, { path, headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
    const { body } = await bytes(path, { 'Accept-Encoding': 'br' });
    assert.deepEqual(body, readFileSync(join(DIST, path)));
  });
});

describe('validators and ranges', () => {
  test('a file named by its content hash is immutable and carries no validator it would never be asked for', async () => {
    const css = /href="(\/_astro\/[^"]+\.css)"/.exec(readFileSync(join(DIST, PAGE, 'index.html'), 'utf8'))![1]!;
    const answer = await send(server.origin, { path: css, headers: { 'Accept-Encoding': 'br' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(answer.headers.etag, undefined);
  });

  test('answers a repeated request with 304 when the ETag still matches, and sends no Last-Modified', async () => {
    const first = await send(server.origin, { path: PAGE, headers: { 'Accept-Encoding': 'br' } });
    const etag = String(first.headers.etag);
    assert.match(etag, /^W\/"/);
    const again = await send(server.origin, {
      path: PAGE,
      headers: { 'Accept-Encoding': 'br', 'If-None-Match': etag },
    });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    // The ETag answers every revalidation; a date would be 40 more bytes on every response.
    assert.equal(first.headers['last-modified'], undefined);
    const changed = await send(server.origin, { path: PAGE, headers: { 'If-None-Match': '"other"' } });
    assert.equal(changed.status, 200);
  });

  test('serves one byte range of a file, refuses one past its end, and ignores it on compressed answers', async () => {
    const part = await bytes(PAGE, { Range: 'bytes=0-99', 'Accept-Encoding': 'identity' });
    assert.equal(part.response.status, 206);
    assert.equal(part.response.headers.get('content-range'), `bytes 0-99/${page.length}`);
    assert.deepEqual(part.body, page.subarray(0, 100));
    const tail = await bytes(PAGE, { Range: 'bytes=-10', 'Accept-Encoding': 'identity' });
    assert.deepEqual(tail.body, page.subarray(page.length - 10));
    const past = await bytes(PAGE, { Range: `bytes=${page.length}-`, 'Accept-Encoding': 'identity' });
    assert.equal(past.response.status, 416);
    assert.equal(past.response.headers.get('content-range'), `bytes */${page.length}`);
    const compressed = await send(server.origin, {
      path: PAGE,
      headers: { Range: 'bytes=0-99', 'Accept-Encoding': 'br' },
    });
    assert.equal(compressed.status, 200);
    assert.equal(compressed.headers['accept-ranges'], undefined);
  });

  test('answers HEAD with the headers of GET and no body', async () => {
    const head = await send(server.origin, {
      method: 'HEAD',
      path: PAGE,
      headers: { 'Accept-Encoding': 'br' },
    });
    const get = await send(server.origin, { path: PAGE, headers: { 'Accept-Encoding': 'br' } });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
  });
});

describe('paths', () => {
  test('adds the slash to a directory, keeping the query, with the security headers', async () => {
    const answer = await send(server.origin, { path: `${PAGE.slice(0, -1)}?from=test` });
    assert.equal(answer.status, 301);
    assert.equal(answer.headers.location, `${PAGE}?from=test`);
    assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
    assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['referrer-policy'], 'strict-origin-when-cross-origin');
  });

  for (const method of ['TRACE', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']) {
    test(`${method} on a page is 405 JSON with Allow: GET, HEAD`, async () => {
      const answer = await send(server.origin, { method, path: PAGE });
      assert.equal(answer.status, 405);
      assert.equal(answer.headers.allow, 'GET, HEAD');
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.match((JSON.parse(answer.body) as { error: string }).error, new RegExp(`^${method} is not allowed`));
    });
  }

  test('answers /ports/N.json from its block’s file, with a validator and a link to the block', async () => {
    const block = readdirSync(join(DIST, 'ports/range')).find((name) => name.endsWith('.json'))!;
    const facts = (JSON.parse(readFileSync(join(DIST, 'ports/range', block), 'utf8')) as { ports: { port: number }[] })
      .ports[0]!;
    const answer = await send(server.origin, { path: `/ports/${facts.port}.json` });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), facts);
    assert.equal(answer.headers.link, `</ports/range/${block}>; rel="alternate"; type="application/json"`);
    const again = await send(server.origin, {
      path: `/ports/${facts.port}.json`,
      headers: { 'If-None-Match': String(answer.headers.etag) },
    });
    assert.equal(again.status, 304);
    assert.equal((await send(server.origin, { path: '/ports/99999.json' })).status, 404);
  });

  test('answers a missing page with the 404 page of its locale and status 404', async () => {
    const english = await send(server.origin, { path: '/no/such/page/' });
    assert.equal(english.status, 404);
    assert.match(english.body, /<html lang="en"/);
    assert.equal(english.headers['cache-control'], 'no-cache');
  });

  test('never serves the files the build leaves for servers, dot files, or anything outside the site', async () => {
    for (const path of [
      '/_headers',
      '/_nginx-headers.conf',
      '/_headers/',
      '/_nginx-headers.conf/',
      '/_headers//',
      '/.well-known-nothing',
      '/ports/.hidden',
    ]) {
      assert.equal((await send(server.origin, { path })).status, 404, path);
    }
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/ports/..%2f..%2fpackage.json']) {
      assert.equal((await send(server.origin, { path })).status, 400, path);
    }
  });

  test('sends the page policy with documents and only what assets need with the rest', async () => {
    const document = await send(server.origin, { path: '/' });
    assert.match(String(document.headers['content-security-policy']), /frame-ancestors 'none'/);
    const asset = await send(server.origin, { path: '/favicon.svg' });
    assert.equal(asset.headers['content-security-policy'], undefined);
    assert.equal(asset.headers['x-content-type-options'], 'nosniff');
  });
});
