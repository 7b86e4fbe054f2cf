/**
 * A few thousand random requests — methods, targets, header shapes and bodies a browser would never send — over
 * raw sockets to the production server, each ended one of the ways a client can end a connection: a clean close,
 * a half-close (its side shut, the answer still read), or a TCP reset (SO_LINGER 0) at once or a moment later.
 * Then every method meets every ending on every path the HTTP parser refuses by. No process may exit, and the
 * site must answer normally afterwards. The seed is printed, and FUZZ_SEED repeats a run.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../support/server.ts';
import { send } from '../support/votes.ts';

const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 3000);
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000);

/** mulberry32: small, fast and good enough to pick fuzz cases reproducibly. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const junk = (length: number) => Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 256))).join('');

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'PATCH',
  'PROPFIND',
  'MKCOL',
  'BREW',
  'get',
  'G E T',
  '',
  'X'.repeat(50),
  'SEARCH',
  'PURGE',
  'LINK',
  'M-SEARCH',
];
const TARGETS = [
  '/',
  '/ports/3515/',
  '/api/feedback',
  '/api/feedback/summary',
  '/api/',
  '/api/x',
  '//[/',
  'http://[/',
  'http://a:99999/',
  'http://%zz/',
  'http://1.2.3.4.5/',
  '*',
  '/%',
  '/%zz',
  '/%00',
  '/%ff%fe',
  '/..',
  '/a/../../b',
  '/%2e%2e/',
  '/ports/%2f',
  `/${'a'.repeat(9000)}`,
  '/?%',
  '/\\',
  '/ports/3515/?q=<script>',
  'ftp://x/',
  '/_image',
  '/pagefind/pagefind.js',
  '/lookup/35.json',
  '/fa/ports/3515/',
  'http://127.0.0.1/ports/',
  '/ports/3515/index.html',
];
const HEADERS = [
  'Content-Type: application/json',
  'Content-Type: application/x-www-form-urlencoded',
  'Content-Type: multipart/form-data; boundary=x',
  'Content-Type: application/json; charset=utf-16',
  'Content-Length: 5',
  'Content-Length: -1',
  'Content-Length: 99999999999999999999',
  'Content-Length: 1, 2',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Accept-Encoding: br;q=0, gzip;q=oops, *;q=0.5',
  'Accept-Encoding: ' + 'x,'.repeat(500),
  'Range: bytes=0-0,5-9,-1',
  'Range: bytes=999999999-',
  'Range: lines=1-2',
  'If-None-Match: *',
  'If-Modified-Since: yesterday',
  'Cookie: dp_voter=' + 'A'.repeat(22) + '.' + 'B'.repeat(22),
  'Cookie: ' + '=;'.repeat(300),
  'Origin: null',
  'Origin: https://evil.example',
  'Sec-Fetch-Site: cross-site',
  'X-Forwarded-For: 1.2.3.4, not-an-ip, ::1',
  'Host: ',
  'Host: [::1',
  'Expect: 100-continue',
  'Connection: upgrade\r\nUpgrade: websocket',
  'X-Long: ' + 'v'.repeat(20000),
];
const BODIES = [
  '',
  '{}',
  '{"port":3515,"rating":"helpful"}',
  'port=3515&rating=helpful',
  '{"port":',
  '\u0000\u0001',
  '0\r\n\r\n',
  '5\r\nhello\r\n0\r\n\r\n',
  'z\r\n',
  '{"__proto__":{"polluted":1},"port":1,"rating":"helpful"}',
];

function fuzzCase(): string {
  const lines = [
    `${pick(METHODS)} ${next() < 0.1 ? junk(20) : pick(TARGETS)} ${pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', ''])}`,
  ];
  if (next() < 0.95) lines.push('Host: 127.0.0.1');
  for (let i = Math.floor(next() * 5); i > 0; i--) lines.push(next() < 0.05 ? junk(30) : pick(HEADERS));
  if (next() < 0.3) lines.push(`X-${junk(5).replace(/[^A-Za-z]/g, 'a')}: ${junk(10)}`);
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${pick(BODIES)}`;
}

/** How a client leaves: `close` and `half-close` read the answer, `reset` and `reset-later` do not wait for it. */
const ENDINGS = ['close', 'half-close', 'reset', 'reset-later'] as const;
type Ending = (typeof ENDINGS)[number];

/** Requests the HTTP parser refuses, each by another error path, and one it takes, for every method. */
const PARSER_ERRORS = [
  (method: string) => `${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n`,
  (method: string) => `${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n`,
  (method: string) => `${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
  (method: string) => `${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ${'v'.repeat(20_000)}\r\n\r\n`,
  (method: string) => `${method} / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n`,
  (method: string) => `${method} /\u0000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
  (method: string) => `${method} /api/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 40\r\n\r\n{"port":`,
  (method: string) => `${method} 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`,
];

function fire(port: number, bytes: string, ending: Ending = 'close'): Promise<void> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      done();
    });
    socket.resume();
    const data = Buffer.from(bytes, 'latin1');
    if (ending === 'close') socket.end(data);
    else if (ending === 'half-close') socket.write(data, () => socket.end());
    else if (ending === 'reset') socket.write(data, () => socket.resetAndDestroy());
    else socket.write(data, () => setTimeout(() => socket.resetAndDestroy(), Math.floor(next() * 20)));
  });
}

let server: RunningServer;
before(async () => {
  server = await startServer({ SERVE_HEADERS_TIMEOUT_MS: '2000', SERVE_REQUEST_TIMEOUT_MS: '3000' });
});
after(async () => {
  await server.stop();
});

test(`${REQUESTS} random requests crash no process and leave the site answering (seed ${SEED})`, async () => {
  console.log(`fuzz seed ${SEED}`);
  const supervisor = await server.supervisor();
  const workers = await server.workers();
  const cases = Array.from({ length: REQUESTS }, fuzzCase);
  // 16 at a time, like a small crowd.
  for (let i = 0; i < cases.length; i += 16) {
    await Promise.all(cases.slice(i, i + 16).map((c) => fire(server.port, c, pick(ENDINGS))));
  }
  const sweep = METHODS.flatMap((method) =>
    PARSER_ERRORS.flatMap((request) => ENDINGS.map((ending) => [request(method), ending] as const)),
  );
  for (let i = 0; i < sweep.length; i += 16) {
    await Promise.all(sweep.slice(i, i + 16).map(([bytes, ending]) => fire(server.port, bytes, ending)));
  }
  // A worker that died of the last cases needs a moment to be noticed.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await server.supervisor(), supervisor);
  assert.deepEqual(await server.workers(), workers, 'no worker exited');
  assert.equal((await send(server.origin, { path: '/ports/3515/' })).status, 200);
  const vote = await send(server.origin, {
    method: 'POST',
    path: '/api/feedback',
    headers: { 'Content-Type': 'application/json' },
    body: '{"port":3515,"rating":"helpful"}',
  });
  assert.ok([200, 429].includes(vote.status), String(vote.status));
  assert.doesNotMatch(server.output(), /^\s+at /m, 'no stack trace was logged');
});
