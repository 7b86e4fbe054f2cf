/**
 * The fault run (`npm run test:faults`, and part of `npm run test:http`): votes from many distinct readers keep
 * arriving while processes are killed and the store is deleted, filled or made read-only, and afterwards every
 * acknowledged vote is looked up, one by one, in the store. A vote may be refused (503) during a fault; one that
 * was acknowledged must never be missing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, truncateSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { startServer, waitFor, type RunningServer } from '../support/server.ts';
import { readVotes } from '../support/votes.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Tally {
  /** Each acknowledged vote, with the time its request was sent. */
  acknowledged: Map<string, number>;
  refused: number;
  failed: number;
}

/**
 * Keeps `concurrency` readers voting until `stop()`: each vote from its own network (X-Forwarded-For, trusted
 * from loopback) and with a comment that names it, so it can be found in the store afterwards.
 */
function load(server: RunningServer, label: string, concurrency = 16, { keepAlive = true } = {}) {
  // Without keep-alive every vote is a new connection, which the kernel may hand to any worker, a new one too.
  const agent = new Agent({ keepAlive, maxSockets: concurrency });
  const tally: Tally = { acknowledged: new Map(), refused: 0, failed: 0 };
  let n = 0;
  let running = true;
  const one = () =>
    new Promise<void>((done) => {
      const id = `${label}-${n++}`;
      const sent = Date.now();
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
            if (res.statusCode === 200) tally.acknowledged.set(id, sent);
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

function integrity(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
  } finally {
    db.close();
  }
}

function report(name: string, tally: Tally, lost: number): void {
  console.log(
    `${name}: ${tally.acknowledged.size} acknowledged, ${tally.acknowledged.size - lost} found in the store, ` +
      `${lost} lost; ${tally.refused} refused, ${tally.failed} cut off`,
  );
}

/** Kills the supervisor and every worker at once (SIGKILL), as a crash of the machine's processes would. */
async function crash(server: RunningServer): Promise<void> {
  const pids = [await server.supervisor(), ...(await server.workers())].filter((pid) => pid !== undefined);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await waitFor(() => pids.every(ended), 'the crashed processes to end');
}

/** Gone, or a zombie waiting for its parent to read its status. */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
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
    // Votes sent before the deletion may have been committed before it, and went with the file; one sent after it
    // cannot have been.
    const lost = missing(tally, file, deleted);
    report('delete the store', tally, lost.length);
    assert.ok(tally.refused > 0, 'some votes were refused while the store was gone');
    assert.deepEqual(lost, []);
  });

  test('truncating the store under load acknowledges no vote afterwards, says why in the log, and keeps the pages up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-faults-'));
    dirs.push(dir);
    const file = join(dir, 'feedback.db');
    const env = { ...ENV, FEEDBACK_DB_URL: `file:${file}`, FEEDBACK_KEY_FILE: join(dir, 'key') };
    const server = await startServer(env);
    try {
      const run = load(server, 'truncate');
      await pause(800);
      truncateSync(file, 0);
      const truncated = Date.now();
      await pause(1500);
      const page = await fetch(`${server.origin}/`);
      const tally = await run.stop();
      // A vote sent before the truncation may have been committed before it; one sent after it cannot have been.
      const after = [...tally.acknowledged.values()].filter((sent) => sent > truncated).length;
      console.log(
        `truncate the store: ${tally.acknowledged.size} acknowledged, ${after} of them after the truncation; ` +
          `${tally.refused} refused`,
      );
      assert.equal(page.status, 200);
      assert.ok(tally.refused > 0, 'votes are refused once the store is truncated');
      assert.equal(after, 0, 'votes acknowledged into a store made anew in the truncated file');
      assert.match(server.output(), /feedback: .*feedback\.db.* (was truncated|is empty)/);
    } finally {
      await server.stop();
    }
  });

  /**
   * SQLite's side files: the write-ahead log holds every vote not yet copied into the main file, and the shared
   * index says where in it each page is. Each is deleted under load; a worker is then killed, so a fresh one opens
   * the store while the others still hold the deleted file, and finally every process is killed at once, as a
   * crash would, before a last server reads what was kept.
   */
  for (const side of ['-shm', '-wal', '-wal and -shm'] as const) {
    test(`deleting ${side} under load, then a worker and a crash, loses no acknowledged vote`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-faults-'));
      dirs.push(dir);
      const file = join(dir, 'feedback.db');
      const env = { ...ENV, FEEDBACK_DB_URL: `file:${file}`, FEEDBACK_KEY_FILE: join(dir, 'key') };
      const server = await startServer(env);
      let tally: Tally;
      let acknowledgedAfter = 0;
      try {
        const run = load(server, `side${side.replace(/\W+/g, '')}`, 16, { keepAlive: false });
        await pause(800);
        for (const suffix of side.split(' and ')) rmSync(`${file}${suffix}`);
        await pause(800);
        const [worker] = await server.workers();
        process.kill(worker!, 'SIGKILL');
        await pause(1500);
        const before = run.tally.acknowledged.size;
        await pause(1000);
        acknowledgedAfter = run.tally.acknowledged.size - before;
        await crash(server);
        tally = await run.stop();
      } finally {
        await server.stop();
      }
      const again = await startServer(env);
      await again.stop();
      try {
        const lost = missing(tally, file);
        report(`delete ${side}, kill a worker, crash`, tally, lost.length);
        assert.ok(tally.acknowledged.size > 200, `only ${tally.acknowledged.size} votes acknowledged`);
        assert.ok(acknowledgedAfter > 0, 'votes are acknowledged again once the store has recovered');
        assert.deepEqual(lost, []);
        assert.equal(integrity(file), 'ok');
      } catch (error) {
        console.log(server.output());
        throw error;
      }
    });
  }

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
