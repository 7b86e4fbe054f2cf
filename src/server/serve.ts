/**
 * The production server: `npm run serve` after a build (`npm start` does both). It serves the built site from
 * dist/ and the feedback API, with one worker process per core (SERVE_WORKERS). Each worker opens its own
 * listening socket on the port (SO_REUSEPORT), so the kernel spreads connections over the live workers, and all
 * shared state lives in the feedback store. The supervisor starts workers, restarts one that exits, and replaces
 * one that stops answering its heartbeat (stopped, or stuck in a loop). A lock (a socket only one process can
 * bind) keeps two supervisors off one port.
 *
 * Who restarts the supervisor (SERVE_SUPERVISOR, deploy/README.md#processes):
 * - `systemd`: systemd, by the unit's `Restart=`. Workers are node:cluster workers, which exit the moment the
 *   supervisor's channel closes, so systemd restarts the server whole and never meets a process it did not start.
 * - `self` (plain `npm start`): the workers. They outlive their supervisor, keep serving, and start a new one;
 *   once its workers listen they finish their requests and leave. They keep at it until one is ready, so a
 *   successor killed while starting is followed by another.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { createConnection, createServer } from 'node:net';
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
/** How long a stopping worker lets requests in flight finish. */
const DRAIN_MS = 10_000;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

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

if (cluster.isWorker || process.env['DORMANT_PORTS_ROLE'] === 'worker') await runWorker();
else runSupervisor();

function runSupervisor(): void {
  if (!existsSync(join(config.root, '_headers'))) {
    console.error(`No build at ${config.root}: run \`npm run build\` first.`);
    process.exit(1);
  }
  try {
    mkdirSync(config.cacheDir, { recursive: true });
    accessSync(config.cacheDir, constants.W_OK);
  } catch (error) {
    console.error(`Dormant Ports: SERVE_CACHE_DIR ${config.cacheDir} cannot be written: ${(error as Error).message}`);
    process.exit(2);
  }
  const takeover = process.env['DORMANT_PORTS_TAKEOVER'] === '1';
  let ready = false;
  let stopping = false;
  const lock = createServer((socket) => {
    socket.end(`${ready ? 'ready' : 'starting'} ${process.pid}\n`);
  });
  lock.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    // Another supervisor already serves this address; a takeover that lost the race just leaves.
    if (takeover) process.exit(0);
    console.error(`Dormant Ports already runs on ${config.host}:${config.port}.`);
    process.exit(1);
  });

  lock.listen(LOCK, () => {
    // Only Linux lets several processes listen on one port; elsewhere one worker serves.
    const count = process.platform === 'linux' ? config.workers : 1;
    const workers = new Map<number, { child: ChildProcess; listening: boolean; answered: number }>();
    const exits: number[] = [];

    const start = (slot: number) => {
      // A restart scheduled just before a stop: a worker forked now would outlive the supervisor.
      if (stopping) return;
      const cache = getCompileCacheDir();
      // So the worker's first module, this file, comes from the compile cache too.
      const env = { ...(cache ? { NODE_COMPILE_CACHE: cache } : {}), DORMANT_PORTS_WORKER: String(slot) };
      const child =
        config.supervisor === 'systemd'
          ? cluster.fork(env).process
          : fork(ENTRY, [], { env: { ...process.env, ...env, DORMANT_PORTS_ROLE: 'worker' }, stdio: 'inherit' });
      const worker = { child, listening: false, answered: Date.now() };
      workers.set(slot, worker);
      child.on('message', (message: { type?: string }) => {
        worker.answered = Date.now();
        if (message.type !== 'listening') return;
        worker.listening = true;
        if (!ready && [...workers.values()].filter((w) => w.listening).length === count) {
          ready = true;
          log.info(`Dormant Ports on http://${config.host}:${config.port}/ (${count} worker${count === 1 ? '' : 's'})`);
        }
      });
      child.on('exit', (code, signal) => {
        if (workers.get(slot)?.child === child) workers.delete(slot);
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

    // A stopped or stuck worker keeps its socket, and the kernel keeps handing it connections that nobody
    // answers; one that leaves the heartbeat unanswered for SERVE_WORKER_TIMEOUT_MS is killed and replaced.
    setInterval(() => {
      for (const { child, listening, answered } of workers.values()) {
        if (!listening || !child.connected) continue;
        if (Date.now() - answered > config.workerTimeout) {
          log.error(`worker ${child.pid ?? '?'} has not answered for ${config.workerTimeout} ms; replacing it`);
          child.kill('SIGKILL');
        } else {
          child.send({ type: 'ping' }, () => undefined);
        }
      }
    }, 500).unref();

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        lock.close();
        if (workers.size === 0) process.exit(0);
        for (const { child } of workers.values()) child.kill('SIGTERM');
        // Workers that have not finished by then are killed, not left to run on without a supervisor.
        setTimeout(() => {
          for (const { child } of workers.values()) child.kill('SIGKILL');
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
  const serveStatic = createStaticHandler({ root: config.root, cacheDir: config.cacheDir, csp });
  const server = createHttpServer({ config, api, serveStatic });
  let stopping = false;
  // The supervisor may be gone by the time a message leaves: the callback takes that error, which would
  // otherwise be an uncaught EPIPE.
  const tell = (message: { type: string }) => {
    if (process.connected) process.send?.(message, undefined, {}, () => undefined);
  };

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
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'ping') tell({ type: 'pong' });
  });
  // Under systemd the worker is a cluster worker, which node:cluster ends before this runs.
  process.once('disconnect', () => {
    if (stopping) return;
    log.warn('the supervisor is gone; serving on until a new one is ready');
    void succeed().then(() => {
      stop('a new supervisor and its workers took over');
    });
  });

  server.listen(
    { host: config.host, port: config.port, exclusive: true, reusePort: process.platform === 'linux' },
    () => {
      tell({ type: 'listening' });
    },
  );
  server.on('error', (error) => {
    log.error(`cannot listen on ${config.host}:${config.port}`, error);
    process.exit(1);
  });
}

/**
 * Returns once a supervisor on the lock says its workers listen, starting one whenever none holds the lock. It
 * does not give up: were the new one killed too, its workers and this one would each start another.
 */
async function succeed(): Promise<void> {
  let started = 0;
  for (;;) {
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
    if (answer.startsWith('ready')) return;
    // Several orphaned workers may start one each; the lock lets one stay.
    if (answer === '' && Date.now() - started > 3000) {
      started = Date.now();
      spawn(process.execPath, [ENTRY], {
        detached: true,
        stdio: 'inherit',
        env: { ...process.env, DORMANT_PORTS_ROLE: 'supervisor', DORMANT_PORTS_TAKEOVER: '1' },
      }).unref();
    }
    await pause(200 + Math.random() * 100);
  }
}
