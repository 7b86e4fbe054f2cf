/** The production server's static files over real HTTP: compression, validators, ranges and errors. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { DIST, startServer, type RunningServer } from '../support/server.ts';
import { send } from '../support/votes.ts';

let server: RunningServer;
before(async () => {
  server = await startServer({});
});
after(async () => {
  await server.stop();
});

/** Like `send`, but keeping the body as bytes. */
async function bytes(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(`${server.origin}${path}`, { method, headers, redirect: 'manual' });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

const page = readFileSync(join(DIST, 'ports/3515/index.html'));

describe('compression', () => {
  test('sends Brotli when the client takes it, gzip when it takes only that, and says Vary', async () => {
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      const answer = await send(server.origin, { path: '/ports/3515/', headers: { 'Accept-Encoding': accept } });
      assert.equal(answer.headers['content-encoding'], encoding);
      assert.equal(answer.headers.vary, 'Accept-Encoding');
      // node:http hands the body over as it came; decode it by hand to compare with the file.
      // (The same response's length: the quick compression may have been replaced by the thorough one since.)
      const [raw, length] = await new Promise<[Buffer, number]>((done) => {
        void import('node:http').then(({ get }) => {
          get(`${server.origin}/ports/3515/`, { headers: { 'Accept-Encoding': accept } }, (res) => {
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
    const answer = await send(server.origin, { path: '/ports/3515/', headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.headers.vary, 'Accept-Encoding');
    assert.equal(Number(answer.headers['content-length']), page.length);
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
    const css = /href="(\/_astro\/[^"]+\.css)"/.exec(readFileSync(join(DIST, 'ports/3515/index.html'), 'utf8'))![1]!;
    const answer = await send(server.origin, { path: css, headers: { 'Accept-Encoding': 'br' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(answer.headers.etag, undefined);
  });

  test('answers a repeated request with 304 when the ETag still matches, and sends no Last-Modified', async () => {
    const first = await send(server.origin, { path: '/ports/3515/', headers: { 'Accept-Encoding': 'br' } });
    const etag = String(first.headers.etag);
    assert.match(etag, /^W\/"/);
    const again = await send(server.origin, {
      path: '/ports/3515/',
      headers: { 'Accept-Encoding': 'br', 'If-None-Match': etag },
    });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    // The ETag answers every revalidation; a date would be 40 more bytes on every response.
    assert.equal(first.headers['last-modified'], undefined);
    const changed = await send(server.origin, { path: '/ports/3515/', headers: { 'If-None-Match': '"other"' } });
    assert.equal(changed.status, 200);
  });

  test('serves one byte range of a file, refuses one past its end, and ignores it on compressed answers', async () => {
    const part = await bytes('/ports/3515/', { Range: 'bytes=0-99', 'Accept-Encoding': 'identity' });
    assert.equal(part.response.status, 206);
    assert.equal(part.response.headers.get('content-range'), `bytes 0-99/${page.length}`);
    assert.deepEqual(part.body, page.subarray(0, 100));
    const tail = await bytes('/ports/3515/', { Range: 'bytes=-10', 'Accept-Encoding': 'identity' });
    assert.deepEqual(tail.body, page.subarray(page.length - 10));
    const past = await bytes('/ports/3515/', { Range: `bytes=${page.length}-`, 'Accept-Encoding': 'identity' });
    assert.equal(past.response.status, 416);
    assert.equal(past.response.headers.get('content-range'), `bytes */${page.length}`);
    const compressed = await send(server.origin, {
      path: '/ports/3515/',
      headers: { Range: 'bytes=0-99', 'Accept-Encoding': 'br' },
    });
    assert.equal(compressed.status, 200);
    assert.equal(compressed.headers['accept-ranges'], undefined);
  });

  test('answers HEAD with the headers of GET and no body', async () => {
    const head = await send(server.origin, {
      method: 'HEAD',
      path: '/ports/3515/',
      headers: { 'Accept-Encoding': 'br' },
    });
    const get = await send(server.origin, { path: '/ports/3515/', headers: { 'Accept-Encoding': 'br' } });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
  });
});

describe('paths', () => {
  test('adds the slash to a directory, keeping the query', async () => {
    const answer = await send(server.origin, { path: '/ports/3515?from=test' });
    assert.equal(answer.status, 301);
    assert.equal(answer.headers.location, '/ports/3515/?from=test');
  });

  test('answers a missing page with the 404 page of its locale and status 404', async () => {
    const english = await send(server.origin, { path: '/no/such/page/' });
    assert.equal(english.status, 404);
    assert.match(english.body, /<html lang="en"/);
    assert.equal(english.headers['cache-control'], 'no-cache');
  });

  test('never serves the files the build leaves for servers, dot files, or anything outside the site', async () => {
    for (const path of ['/_headers', '/_nginx-headers.conf', '/.well-known-nothing', '/ports/.hidden']) {
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
