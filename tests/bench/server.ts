/**
 * `npm run bench:server`: how long the production server takes from `node src/server/serve.ts` to its first
 * answers — a page (`GET /`) and a vote (`POST /api/feedback`) — each run with a new feedback store and key in a
 * temporary folder, on a free port. Prints min, median and max over the runs, after one run to warm the OS
 * cache. Target (issue 16): ≤ 300 ms. Needs a build (`npm run build`, or `--root` pointing at one).
 *
 *   npm run bench:server -- --runs 9 --workers 1
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { childrenOf, DIST, freePort, isRunning, ROOT, waitFor } from '../support/server.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    workers: { type: 'string', default: '2' },
    root: { type: 'string', default: DIST },
  },
});
const TARGET_MS = 300;
const root = resolve(values.root);
if (!existsSync(join(root, '_headers'))) {
  console.error(`No build in ${root}: run \`npm run build\` first.`);
  process.exit(2);
}

/** Resolves with the status, or rejects when nothing answers (connection refused while the server starts). */
function ask(port: number, method: string, path: string, body?: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          done(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** Milliseconds from `started` to the first 2xx answer, asking again every 2 ms. */
async function firstAnswer(started: number, ask: () => Promise<number>, server: ChildProcess): Promise<number> {
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`);
    try {
      const status = await ask();
      if (status >= 200 && status < 300) return performance.now() - started;
      throw new Error(`answered ${status}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function stop(server: ChildProcess): Promise<void> {
  const pids = [server.pid!, ...childrenOf(server.pid!)];
  server.kill('SIGTERM');
  await waitFor(
    () => pids.every((pid) => !isRunning(pid) || childrenOf(pid).length === 0) && server.exitCode !== null,
    'the server to stop',
  );
}

interface Run {
  page: number;
  vote: number;
}

async function once(env: Record<string, string> = {}): Promise<Run> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-start-'));
  const started = performance.now();
  const server = spawn(process.execPath, [join(ROOT, 'src/server/serve.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      SERVE_ROOT: root,
      SERVE_WORKERS: values.workers,
      FEEDBACK_DB_URL: `file:${join(dir, 'feedback.db')}`,
      FEEDBACK_KEY_FILE: join(dir, 'feedback.key'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const vote = JSON.stringify({ port: 3515, rating: 'helpful' });
    const [page, voted] = await Promise.all([
      firstAnswer(started, () => ask(port, 'GET', '/'), server),
      firstAnswer(started, () => ask(port, 'POST', '/api/feedback', vote), server),
    ]);
    return { page, vote: voted };
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

const stats = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return {
    min: Math.round(sorted[0]!),
    median: Math.round(sorted[Math.floor(sorted.length / 2)]!),
    max: Math.round(sorted.at(-1)!),
  };
};

await once();
const runs: Run[] = [];
for (let i = 0; i < Number(values.runs); i++) runs.push(await once());
// As the very first start after an install (or with the temp dir wiped): nothing in Node's compile cache.
const cold: Run[] = [];
for (let i = 0; i < Number(values.runs); i++) cold.push(await once({ NODE_DISABLE_COMPILE_CACHE: '1' }));
console.table({
  'GET / (ms)': stats(runs.map((r) => r.page)),
  'POST /api/feedback (ms)': stats(runs.map((r) => r.vote)),
  'GET /, no compile cache (ms)': stats(cold.map((r) => r.page)),
  'POST /api/feedback, no compile cache (ms)': stats(cold.map((r) => r.vote)),
});
console.log(
  `From spawn to the first answer, ${runs.length} runs each, ${values.workers} worker(s), a new store each run. Target: ≤ ${TARGET_MS} ms.`,
);
