/**
 * A newcomer's wait (issue 26, item 6): the time from `npm start` on a fresh clone to the first page served with
 * 200 — the whole build (Astro, then the search index) and the server's start. Used by `npm run bench:build`.
 *
 * The clone is `git clone` of a checkout into a temporary folder (its committed HEAD, as a newcomer gets it). To
 * need no network, its node_modules is a folder of symbolic links to the checkout's installed packages — every
 * entry but the caches tools write there (.astro, .vite, .cache), so the build starts as cold as after `npm ci`.
 * The server listens on a free loopback port instead of its default 4321, with its data in the clone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isRunning, waitFor } from '../support/server.ts';

/** What a first build writes into node_modules; linking these would start the clone warm. */
const CACHES = new Set(['.astro', '.vite', '.cache']);

export interface NewcomerWait {
  /** From `npm start` to the first `GET /` answered with 200. */
  seconds: number;
  /** From `npm start` to the end of the build, when npm starts `npm run serve`. */
  buildSeconds: number | undefined;
  /** The 1-minute load average before and after: on a shared machine, what the timing competed with. */
  load: [number, number];
  commit: string;
}

function status(port: number): Promise<number> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        done(res.statusCode ?? 0);
      });
    });
    req.on('error', () => {
      done(0);
    });
    req.end();
  });
}

/** Clones `from`, links its packages from `modules`, runs `npm start` and times the first page. */
export async function newcomersWait(from: string, modules: string): Promise<NewcomerWait> {
  const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-newcomer-'));
  const clone = join(dir, 'clone');
  try {
    const cloned = spawnSync('git', ['clone', '--quiet', from, clone], { encoding: 'utf8' });
    if (cloned.status !== 0) throw new Error(`git clone ${from} failed:\n${cloned.stderr}`);
    const commit = spawnSync('git', ['-C', clone, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const source = realpathSync(modules);
    mkdirSync(join(clone, 'node_modules'));
    for (const entry of readdirSync(source)) {
      if (!CACHES.has(entry)) symlinkSync(join(source, entry), join(clone, 'node_modules', entry));
    }

    const port = await freePort();
    const loadBefore = loadavg()[0]!;
    const started = performance.now();
    // A process group of its own, so that npm, the build and the server's supervisor and workers stop together.
    const child = spawn('npm', ['start'], {
      cwd: clone,
      env: { ...process.env, NO_COLOR: '1', HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let buildSeconds: number | undefined;
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      // npm's banner for the second half of `npm start` ("> dormant-ports@0.1.0 serve").
      if (buildSeconds === undefined && /^> \S+ serve$/m.test(output)) {
        buildSeconds = (performance.now() - started) / 1000;
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`npm start exited with ${child.exitCode}:\n${output.slice(-4000)}`);
          return (await status(port)) === 200;
        },
        'the first page from `npm start`',
        300_000,
      );
      const seconds = (performance.now() - started) / 1000;
      return { seconds, buildSeconds, commit, load: [loadBefore, loadavg()[0]!] };
    } finally {
      const group = child.pid!;
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await waitFor(() => !isRunning(group) || child.exitCode !== null, 'npm start to stop', 15_000).catch(() => {});
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Everything stopped on SIGTERM.
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
