/**
 * A PostgreSQL that stops answering for ten seconds (every one of its processes frozen, as a saturated disk or a
 * paused machine would have it), under votes through the real nginx config and two instances. nginx gives up on
 * an instance that has not answered in 10 s and then sends it nothing for 10 s more (deploy/nginx/), so an app
 * that waits on the database for as long as nginx waits on it turns a 10 s stall into a 20 s outage, with nginx's
 * own 503 for every vote (issue 21, finding 6). The instances must answer every vote well within nginx's timeout,
 * with their own 503 JSON while the database is away, and take votes again as soon as it is back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nginxUnavailable, renderTemplate, SITE_CONFIG, startNginx, type RunningNginx } from '../support/nginx.ts';
import { postgresUnavailable, startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { requires } from '../support/requires.ts';
import { DIST, startServer, type RunningServer } from '../support/server.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** nginx's proxy_read_timeout for /api/ in deploy/nginx/dormant-ports.conf. */
const PROXY_TIMEOUT_MS = 10_000;

interface Answer {
  id: string;
  sent: number;
  took: number;
  status: number;
  /** Who wrote the answer: an instance (its JSON names the vote), or nginx (its own error pages). */
  from: 'app' | 'nginx' | 'none';
}

describe(
  'a ten-second PostgreSQL stall behind nginx',
  { skip: requires(postgresUnavailable(), nginxUnavailable()) },
  () => {
    let cluster: PostgresCluster;
    let instances: RunningServer[] = [];
    let nginx: RunningNginx;
    const stops: (() => Promise<void>)[] = [];

    before(async () => {
      cluster = await startPostgres();
      stops.push(() => cluster.destroy());
      const env = {
        FEEDBACK_DB_URL: cluster.url,
        FEEDBACK_SECRET: randomBytes(32).toString('hex'),
        TRUST_PROXY: '127.0.0.1',
        FEEDBACK_RATE_LIMIT: '1000000',
        SERVE_WORKERS: '1',
      };
      instances = await Promise.all([startServer(env), startServer(env)]);
      stops.push(async () => {
        await Promise.all(instances.map((instance) => instance.stop()));
      });
      nginx = await startNginx({
        config: ({ port }) =>
          renderTemplate(readFileSync(SITE_CONFIG, 'utf8'), {
            listen: `127.0.0.1:${port}`,
            server_name: '_',
            root: DIST,
            upstreams: instances.map((instance) => `server 127.0.0.1:${instance.port};`).join('\n    '),
            headers: join(DIST, '_nginx-headers.conf'),
          }),
      });
      stops.push(() => nginx.stop());
    });
    after(async () => {
      for (const stop of stops.reverse()) await stop();
    });

    test('every vote is answered well within nginx’s timeout, by an instance, and votes count again once it is back', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 12 });
      const answers: Answer[] = [];
      let n = 0;
      let running = true;
      const one = () =>
        new Promise<void>((done) => {
          const id = `stall-${n++}`;
          const body = JSON.stringify({ port: n % 65536, rating: 'helpful', comment: id });
          const sent = Date.now();
          const record = (status: number, text: string) => {
            const from = /could not be saved|vote/.test(text) ? 'app' : status >= 500 ? 'nginx' : 'app';
            answers.push({ id, sent, took: Date.now() - sent, status, from: status === 0 ? 'none' : from });
            done();
          };
          const req = request(
            `${nginx.origin}/api/feedback`,
            {
              method: 'POST',
              agent,
              headers: {
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
                'X-Forwarded-For': `10.9.${(n >> 8) & 255}.${n & 255}`,
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () => {
                record(res.statusCode ?? 0, text);
              });
              res.on('error', () => {
                record(0, '');
              });
            },
          );
          req.on('error', () => {
            record(0, '');
          });
          req.end(body);
        });
      const loops = Array.from({ length: 12 }, async () => {
        while (running) {
          await one();
          await pause(20);
        }
      });

      await pause(2000);
      const stalled = Date.now();
      cluster.pause();
      await pause(10_000);
      cluster.resume();
      const resumed = Date.now();
      await pause(8000);
      running = false;
      await Promise.all(loops);
      agent.destroy();

      const during = answers.filter((a) => a.sent >= stalled && a.sent < resumed);
      const slowest = Math.max(...answers.map((a) => a.took));
      const byNginx = answers.filter((a) => a.from === 'nginx').length;
      const firstAfter = answers.filter((a) => a.sent >= resumed && a.status === 200).map((a) => a.sent - resumed);
      const back = firstAfter.length > 0 ? Math.min(...firstAfter) : Infinity;
      const acknowledged = answers.filter((a) => a.status === 200);
      const stored = new Set(
        (await cluster.psql('SELECT comment FROM votes WHERE comment IS NOT NULL')).split('\n').filter(Boolean),
      );
      const lost = acknowledged.filter((a) => !stored.has(a.id)).length;
      console.log(
        `stall: ${during.length} votes sent during it, ${during.filter((a) => a.status === 503).length} answered 503 by ` +
          `an instance; ${byNginx} answered by nginx itself; slowest answer ${slowest} ms; votes counted again ` +
          `${back} ms after PostgreSQL came back; ${acknowledged.length} acknowledged, ${lost} lost`,
      );
      const notCounted = (from: number) =>
        answers.filter((a) => a.status !== 200 && a.sent >= from && a.sent < from + 1000).length;
      console.log(
        `votes not counted, per second from 2 s before the stall: ${Array.from({ length: 20 }, (_, i) =>
          notCounted(stalled - 2000 + i * 1000),
        ).join(' ')}`,
      );
      assert.ok(during.length > 20, `only ${during.length} votes were sent during the stall`);
      assert.ok(slowest < PROXY_TIMEOUT_MS / 2, `the slowest vote took ${slowest} ms`);
      assert.equal(byNginx, 0, 'nginx answered votes itself: it had given up on the instances');
      // A vote whose batch PostgreSQL committed just as it froze may still be acknowledged; every other one is
      // refused by the instance, and once the first deadline has passed, at once.
      assert.ok(
        during.every((a) => a.from === 'app' && (a.status === 503 || (a.status === 200 && a.sent < stalled + 500))),
        'every vote during the stall gets the instance’s 503 JSON',
      );
      const refused = during.filter((a) => a.status === 503).map((a) => a.took);
      refused.sort((a, b) => a - b);
      assert.ok(
        refused[Math.floor(refused.length / 2)]! < 500,
        'most votes are refused at once while the store is away',
      );
      assert.ok(back < 3000, `votes were counted again ${back} ms after PostgreSQL came back`);
      assert.equal(lost, 0);
    });
  },
);
