/**
 * The production server: `npm run serve` after a build (`npm start` does both). It serves the built site from
 * dist/ and the feedback API, with one worker process per core (SERVE_WORKERS).
 *
 * There is no single process whose death takes the site down. Each worker opens its own listening socket on the
 * same port (SO_REUSEPORT), so the kernel spreads connections over the live workers, and all shared state — the
 * vote cap, the rate limit — lives in the feedback store, not in any process. The supervisor only starts
 * workers and restarts one that dies. If the supervisor itself is killed, the workers keep serving and start a
 * new supervisor; once its workers listen, the old ones finish their requests and leave. A lock (a socket only
 * one process can bind) keeps two supervisors off one port.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerConfig } from './config.ts';

// Start-up is mostly turning TypeScript into JavaScript and compiling it; Node's compile cache keeps both on disk
// (in the OS temp dir, or NODE_COMPILE_CACHE), which halves a process's start from the second start on. Only
// modules loaded after this line use it, so the rest are imported below, and only by the role that needs them:
// the supervisor never loads the API or the file server. https://nodejs.org/api/module.html#module-compile-cache
enableCompileCache();
const { ConfigError, readConfig } = await import('./config.ts');
const { log } = await import('./log.ts');

const ENTRY = fileURLToPath(import.meta.url);
const ROLE = process.env['DORMANT_PORTS_ROLE'] === 'worker' ? 'worker' : 'supervisor';
/** How long a stopping worker lets requests in flight finish. */
const DRAIN_MS = 10_000;

let config: ServerConfig;
try {
  config = readConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Dormant Ports: ${error.message}`);
  process.exit(2);
}

/** Where the supervisor of this address holds its lock: an abstract socket on Linux, a file elsewhere. */
const LOCK =
  process.platform === 'linux'
    ? `\0dormant-ports:${config.host}:${config.port}`
    : join(config.root, '..', `.serve-${config.port}.lock`);

if (ROLE === 'worker') await runWorker();
else runSupervisor();

function runSupervisor(): void {
  if (!existsSync(join(config.root, '_headers'))) {
    console.error(`No build at ${config.root}: run \`npm run build\` first.`);
    process.exit(1);
  }
  const takeover = process.env['DORMANT_PORTS_TAKEOVER'] === '1';
  let ready = false;
  let stopping = false;
  const lock: Server = createServer((socket) => {
    socket.end(`${ready ? 'ready' : 'starting'} ${process.pid}\n`);
  });
  lock.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      // Another supervisor already serves this address; a takeover attempt that lost the race just leaves.
      if (takeover) process.exit(0);
      console.error(`Dormant Ports already runs on ${config.host}:${config.port}.`);
      process.exit(1);
    }
    throw error;
  });

  lock.listen(LOCK, () => {
    // Only Linux lets several processes listen on one port; elsewhere one worker serves.
    const count = process.platform === 'linux' ? config.workers : 1;
    const listening = new Set<number>();
    const exits: number[] = [];
    const workers = new Map<number, ChildProcess>();

    const start = (slot: number) => {
      // A restart scheduled just before a stop: a worker forked now would outlive the supervisor and, seeing it
      // gone, start a new one.
      if (stopping) return;
      const cache = getCompileCacheDir();
      const child = fork(ENTRY, [], {
        env: {
          ...process.env,
          // So the worker's first module, this file, comes from the cache too.
          ...(cache ? { NODE_COMPILE_CACHE: cache } : {}),
          DORMANT_PORTS_ROLE: 'worker',
          DORMANT_PORTS_WORKER: String(slot),
        },
        stdio: 'inherit',
      });
      workers.set(slot, child);
      child.on('message', (message: { type?: string }) => {
        if (message.type !== 'listening') return;
        listening.add(slot);
        if (!ready && listening.size === count) {
          ready = true;
          log.info(`Dormant Ports on http://${config.host}:${config.port}/ (${count} worker${count === 1 ? '' : 's'})`);
        }
      });
      child.on('exit', (code, signal) => {
        listening.delete(slot);
        if (workers.get(slot) === child) workers.delete(slot);
        if (stopping) {
          if (workers.size === 0) process.exit(0);
          return;
        }
        log.warn(`worker ${child.pid ?? '?'} exited (${signal ?? code}); starting another`);
        const now = Date.now();
        exits.push(now);
        while (exits.length > 0 && exits[0]! < now - 10_000) exits.shift();
        // A worker that dies at once, again and again, has a reason (a port taken, a broken build); say so.
        if (exits.length > 10 && !ready) {
          log.error('workers keep exiting before they listen; giving up');
          process.exit(1);
        }
        setTimeout(
          () => {
            start(slot);
          },
          exits.length > 3 ? 1000 : 50,
        );
      });
    };
    for (let slot = 0; slot < count; slot++) start(slot);

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        lock.close();
        if (workers.size === 0) process.exit(0);
        for (const child of workers.values()) child.kill('SIGTERM');
        // Workers that have not finished by then are killed, not left to run on without a supervisor.
        setTimeout(() => {
          for (const child of workers.values()) child.kill('SIGKILL');
          process.exit(0);
        }, DRAIN_MS + 2000).unref();
      });
    }
  });
}

async function runWorker(): Promise<void> {
  const [{ policyFromHeadersFile }, { createApi }, { createHttpServer }, { createStaticHandler }] = await Promise.all([
    import('../lib/security-headers.ts'),
    import('./api.ts'),
    import('./http.ts'),
    import('./static.ts'),
  ]);
  const csp = policyFromHeadersFile(readFileSync(join(config.root, '_headers'), 'utf8'));
  if (!csp) throw new Error(`${join(config.root, '_headers')} has no Content-Security-Policy`);
  const api = await createApi(config);
  const server = createHttpServer({
    config,
    api,
    serveStatic: createStaticHandler({ root: config.root, csp, cacheBytes: config.compressionCache }),
  });
  let stopping = false;

  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`worker stopping: ${why}`);
    server.close(() => {
      void Promise.resolve()
        .then(() => api.close())
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
    }, DRAIN_MS).unref();
    // A worker asked to stop always does: one left behind would serve an old build, or hold a store's file open.
    setTimeout(() => process.exit(0), DRAIN_MS + 5000).unref();
  };
  process.on('SIGTERM', () => {
    stop('asked to stop');
  });
  process.on('SIGINT', () => {
    stop('asked to stop');
  });
  process.on('uncaughtException', (error) => {
    // Every request has its own boundary (http.ts), so this is a bug; leave cleanly and let a fresh worker start.
    log.error('uncaught exception in a worker', error);
    console.error(error);
    stop('uncaught exception');
  });

  process.once('disconnect', () => {
    if (stopping) return;
    log.warn('the supervisor is gone; serving on while a new one starts');
    spawn(process.execPath, [ENTRY], {
      detached: true,
      stdio: 'inherit',
      env: { ...process.env, DORMANT_PORTS_ROLE: 'supervisor', DORMANT_PORTS_TAKEOVER: '1' },
    }).unref();
    void waitForNewSupervisor().then((found) => {
      if (found) stop('a new supervisor and its workers took over');
      else log.error('no new supervisor took over; this worker serves on alone until it is stopped');
    });
  });

  server.listen(
    { host: config.host, port: config.port, exclusive: true, reusePort: process.platform === 'linux' },
    () => {
      process.send?.({ type: 'listening' });
    },
  );
  server.on('error', (error) => {
    log.error(`cannot listen on ${config.host}:${config.port}`, error);
    process.exit(1);
  });
}

/** Polls the lock until a supervisor there says its workers are listening; false after 30 s. */
async function waitForNewSupervisor(): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const answer = await new Promise<string>((done) => {
      const socket = createConnection(LOCK);
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => {
        done(text);
      });
      socket.on('error', () => {
        done('');
      });
    });
    if (answer.startsWith('ready')) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
