/** The request boundary of the production server, on a real HTTP server in this process. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Api } from '../../src/server/api.ts';
import { readConfig } from '../../src/server/config.ts';
import { createRequestHandler, parseTarget } from '../../src/server/http.ts';

const config = readConfig({});
let origin = '';
const logged: string[] = [];
const write = process.stderr.write.bind(process.stderr);
const server = createServer(
  createRequestHandler({
    config,
    api: {} as Api,
    serveStatic: (_req, _res, pathname) => {
      if (pathname === '/throws/') throw new TypeError('boom');
      return Promise.reject(new Error('rejected'));
    },
  }),
);

before(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  process.stderr.write = (chunk: string) => {
    logged.push(chunk);
    return true;
  };
});
after(() => {
  process.stderr.write = write;
  server.close();
});

describe('the request boundary', () => {
  test('turns a thrown error into a 500 JSON answer and one log line', async () => {
    for (const path of ['/throws/', '/rejects/']) {
      logged.length = 0;
      const response = await fetch(`${origin}${path}`);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { error: 'the server could not answer this request' });
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /error .* GET \/\w+\/: unexpected error: \w*Error: (boom|rejected)\n$/);
    }
  });
});

describe('parseTarget', () => {
  test('takes origin-form paths and valid absolute URLs, decoding the path', () => {
    assert.deepEqual(parseTarget('/ports/3515/?q=1'), { pathname: '/ports/3515/', target: '/ports/3515/?q=1' });
    assert.deepEqual(parseTarget('/fa/%D9%BE/'), { pathname: '/fa/پ/', target: '/fa/%D9%BE/' });
    assert.deepEqual(parseTarget('http://example.org/ports/'), { pathname: '/ports/', target: '/ports/' });
  });

  test('refuses what is not a path a client may send', () => {
    for (const bad of [
      '//[/',
      'http://[/',
      'http://a:99999/',
      'http://%zz/',
      'http://1.2.3.4.5/',
      '*',
      'ports',
      '/%zz',
      '/a/%2f/b',
      '/a/%00',
      '/../etc/passwd',
      '/a/./b',
      '/%ED%A0%80',
      'ftp://x/',
    ]) {
      assert.equal(parseTarget(bad), undefined, bad);
    }
  });
});
