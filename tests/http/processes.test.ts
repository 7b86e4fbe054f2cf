/**
 * The production server's processes under kills and stops (issue 21, finding 4): without systemd the site
 * outlives any number of supervisor kills, even of a successor still starting; under SERVE_SUPERVISOR=systemd
 * the workers leave with their supervisor, for systemd to restart the whole; a stopped worker is replaced.
 * tests/http/faults.test.ts counts the votes through the same kills.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isRunning, startServer, waitFor, type RunningServer } from '../support/server.ts';
import { send } from '../support/votes.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Page requests answered while `during` runs, of how many were sent, one every 50 ms on a new connection. */
async function pagesAnswered(origin: string, during: () => Promise<void>): Promise<[number, number]> {
  let sent = 0;
  let answered = 0;
  const state = { running: true };
  const probe = (async () => {
    while (state.running) {
      sent++;
      if ((await send(origin, { path: '/' }).catch(() => undefined))?.status === 200) answered++;
      await pause(50);
    }
  })();
  try {
    await during();
  } finally {
    state.running = false;
    await probe;
  }
  return [answered, sent];
}

/** Server processes started for `port`, found by the environment they were started with. */
function serversOn(port: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
        const state = readFileSync(`/proc/${entry}/stat`, 'latin1');
        return (
          environ.includes(`PORT=${port}`) &&
          readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes('serve.ts') &&
          !state.slice(state.lastIndexOf(')') + 2).startsWith('Z')
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function withServer(env: Record<string, string>, run: (server: RunningServer) => Promise<void>) {
  const server = await startServer(env);
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

describe('without systemd, the server restarts itself', () => {
  test('a supervisor killed again and again, its successor too while it starts, is always followed, and pages answer throughout', async () => {
    await withServer({}, async (server) => {
      const [answered, sent] = await pagesAnswered(server.origin, async () => {
        for (let round = 0; round < 3; round++) {
          const first = (await server.supervisor())!;
          process.kill(first, 'SIGKILL');
          // The successor, killed as soon as it holds the lock: before its workers listen, most times.
          let successor: number | undefined;
          await waitFor(async () => {
            successor = await server.supervisor();
            return successor !== undefined && successor !== first;
          }, 'a successor');
          process.kill(successor!, 'SIGKILL');
          await waitFor(async () => {
            const now = await server.supervisor();
            return now !== undefined && now !== successor && (await server.workers()).length === 2;
          }, 'another successor');
        }
        // The workers of the last one die too, one after the other.
        for (const worker of await server.workers()) {
          process.kill(worker, 'SIGKILL');
          await waitFor(async () => {
            const now = await server.workers();
            return now.length === 2 && !now.includes(worker);
          }, 'a new worker');
        }
      });
      assert.equal(answered, sent, `${answered} of ${sent} pages answered`);
      // The workers of every killed supervisor leave once a successor is ready: one supervisor, two workers.
      await waitFor(() => serversOn(server.port).length === 3, 'only the last supervisor and its workers');
      assert.doesNotMatch(server.output(), /uncaught|EPIPE/);
    });
  });
});

describe('under systemd, systemd restarts the server', () => {
  test('with SERVE_SUPERVISOR=systemd, a killed supervisor’s workers leave at once and none takes over', async () => {
    await withServer({ SERVE_SUPERVISOR: 'systemd' }, async (server) => {
      const supervisor = (await server.supervisor())!;
      const workers = await server.workers();
      assert.equal(workers.length, 2);
      process.kill(supervisor, 'SIGKILL');
      await waitFor(() => workers.every((pid) => !isRunning(pid)), 'the workers to leave', 5000);
      await pause(1500);
      assert.deepEqual(serversOn(server.port), [], 'a process a service manager did not start');
      assert.equal(await server.supervisor(), undefined);
    });
  });
});

describe('a worker that stops answering', () => {
  test('a stopped worker, which holds its socket and answers nothing, is killed and replaced', async () => {
    await withServer({ SERVE_WORKER_TIMEOUT_MS: '3000', FEEDBACK_DB_BUSY_TIMEOUT_MS: '500' }, async (server) => {
      const [stopped, other] = await server.workers();
      process.kill(stopped!, 'SIGSTOP');
      await waitFor(
        async () => !isRunning(stopped!) && (await server.workers()).length === 2,
        'the stopped worker to be replaced',
        15_000,
      );
      assert.ok((await server.workers()).includes(other!), 'the worker that answered was left alone');
      assert.match(server.output(), /has not answered for 3000 ms; replacing it/);
      const answers = await Promise.all(Array.from({ length: 20 }, () => send(server.origin, { path: '/' })));
      assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
    });
  });
});
