/**
 * The fault run (`npm run test:faults`, and part of `npm run test:http`): votes from many distinct readers keep
 * arriving while processes are killed and the store is deleted, filled or made read-only, and afterwards every
 * acknowledged vote is looked up, one by one, in the store. A vote may be refused (503) during a fault; one that
 * was acknowledged must never be missing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startServer, waitFor, type RunningServer } from '../support/server.ts';
import { readVotes } from '../support/votes.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Tally {
  acknowledged: Map<string, number>;
  refused: number;
  failed: number;
}

/**
 * Keeps `concurrency` readers voting until `stop()`: each vote from its own network (X-Forwarded-For, trusted
 * from loopback) and with a comment that names it, so it can be found in the store afterwards.
 */
function load(server: RunningServer, label: string, concurrency = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const tally: Tally = { acknowledged: new Map(), refused: 0, failed: 0 };
  let n = 0;
  let running = true;
  const one = () =>
    new Promise<void>((done) => {
      const id = `${label}-${n++}`;
      const body = JSON.stringify({ port: n % 65536, rating: 'helpful', comment: id });
      const req = request(
        `${server.origin}/api/feedback`,
        {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'X-Forwarded-For': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) tally.acknowledged.set(id, Date.now());
            else tally.refused++;
            done();
          });
          res.on('error', () => {
            tally.failed++;
            done();
          });
        },
      );
      req.on('error', () => {
        tally.failed++;
        done();
      });
      req.end(body);
    });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) await one();
  });
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return tally;
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function missing(tally: Tally, file: string, after = 0): string[] {
  const stored = new Set(readVotes(file).map((v) => v.comment));
  return [...tally.acknowledged].filter(([id, at]) => at > after && !stored.has(id)).map(([id]) => id);
}

function report(name: string, tally: Tally, lost: number): void {
  console.log(
    `${name}: ${tally.acknowledged.size} acknowledged, ${tally.acknowledged.size - lost} found in the store, ` +
      `${lost} lost; ${tally.refused} refused, ${tally.failed} cut off`,
  );
}

const ENV = { TRUST_PROXY: 'loopback', FEEDBACK_RATE_LIMIT: '1000000' };

describe('the fault run', () => {
  test('killing a worker and then the supervisor under load loses no acknowledged vote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-faults-'));
    dirs.push(dir);
    const env = { ...ENV, FEEDBACK_DB_URL: `file:${join(dir, 'feedback.db')}`, FEEDBACK_KEY_FILE: join(dir, 'key') };
    const server = await startServer(env);
    try {
      const run = load(server, 'kill');
      await pause(1000);
      const [worker] = await server.workers();
      process.kill(worker!, 'SIGKILL');
      await pause(1000);
      const supervisor = await server.supervisor();
      process.kill(supervisor!, 'SIGKILL');
      await waitFor(async () => {
        const now = await server.supervisor();
        return now !== undefined && now !== supervisor;
      }, 'a new supervisor');
      await pause(1500);
      const tally = await run.stop();
      await server.stop();
      const lost = missing(tally, join(dir, 'feedback.db'));
      report('kill a worker, then the supervisor', tally, lost.length);
      assert.ok(tally.acknowledged.size > 200, `only ${tally.acknowledged.size} votes acknowledged`);
      assert.deepEqual(lost, []);
    } finally {
      await server.stop();
    }
  });

  test('deleting the store under load acknowledges no vote into the deleted file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-faults-'));
    dirs.push(dir);
    const file = join(dir, 'feedback.db');
    const env = { ...ENV, FEEDBACK_DB_URL: `file:${file}`, FEEDBACK_KEY_FILE: join(dir, 'key') };
    const server = await startServer(env);
    const run = load(server, 'delete');
    await pause(800);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    const deleted = Date.now();
    await pause(800);
    // A worker started now creates a new file; its votes must survive, the others must refuse.
    const [worker] = await server.workers();
    process.kill(worker!, 'SIGKILL');
    await pause(1500);
    const tally = await run.stop();
    await server.stop();
    const again = await startServer(env);
    await again.stop();
    // Votes committed just before the deletion may be answered just after it; they went with the file.
    const lost = missing(tally, file, deleted + 100);
    report('delete the store', tally, lost.length);
    assert.ok(tally.refused > 0, 'some votes were refused while the store was gone');
    assert.deepEqual(lost, []);
  });

  test('a full disk, then a read-only one, gets 503s, recovers without a restart, and loses no acknowledged vote', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to mount a small tmpfs (CI runs as root)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-faults-'));
    dirs.push(dir);
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', disk]);
    const file = join(disk, 'feedback.db');
    const env = { ...ENV, FEEDBACK_DB_URL: `file:${file}`, FEEDBACK_KEY_FILE: join(dir, 'key') };
    const tallies: Tally[] = [];
    try {
      // Full: fill what is left of the disk under load, then free it again.
      let server = await startServer(env);
      let run = load(server, 'full', 8);
      await pause(800);
      const { bavail, bsize } = statfsSync(disk);
      try {
        writeFileSync(join(disk, 'filler'), Buffer.alloc(bavail * bsize + 1024 * 1024));
      } catch {
        // ENOSPC once the disk is full, which is the point.
      }
      const full = run.tally.refused;
      await pause(1500);
      const refusedWhileFull = run.tally.refused - full;
      rmSync(join(disk, 'filler'));
      const freed = run.tally.acknowledged.size;
      await pause(1500);
      const acknowledgedAfterFull = run.tally.acknowledged.size - freed;
      tallies.push(await run.stop());
      await server.stop();

      // Read-only: a file system cannot be made read-only under open files, so the server starts on it.
      execFileSync('mount', ['-o', 'remount,ro', disk]);
      server = await startServer(env);
      run = load(server, 'read-only', 8);
      await pause(1500);
      const refusedWhileReadOnly = run.tally.refused;
      const acknowledgedWhileReadOnly = run.tally.acknowledged.size;
      execFileSync('mount', ['-o', 'remount,rw', disk]);
      const writable = run.tally.acknowledged.size;
      await pause(1500);
      const acknowledgedAfterReadOnly = run.tally.acknowledged.size - writable;
      tallies.push(await run.stop());
      await server.stop();

      const tally: Tally = {
        acknowledged: new Map(tallies.flatMap((one) => [...one.acknowledged])),
        refused: tallies.reduce((sum, one) => sum + one.refused, 0),
        failed: tallies.reduce((sum, one) => sum + one.failed, 0),
      };
      const lost = missing(tally, file);
      report('fill the disk, then make it read-only', tally, lost.length);
      assert.ok(refusedWhileFull > 0, 'votes were refused while the disk was full');
      assert.ok(acknowledgedAfterFull > 0, 'votes were acknowledged again once space was freed');
      assert.ok(refusedWhileReadOnly > 0 && acknowledgedWhileReadOnly === 0, 'a read-only store acknowledges nothing');
      assert.ok(acknowledgedAfterReadOnly > 0, 'votes were acknowledged again once the disk was writable');
      assert.deepEqual(lost, []);
    } finally {
      execFileSync('umount', ['-l', disk]);
    }
  });
});
