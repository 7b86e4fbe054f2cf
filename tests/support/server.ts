/**
 * Starts the production server (`src/server/serve.ts`) on a free loopback port, with its own feedback database
 * and key file in a temporary folder unless the caller names others, and stops it again — the supervisor, its
 * workers, and any supervisor that took over after a test killed the first. Needs a build in dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist');

export interface RunningServer {
  origin: string;
  port: number;
  /** The supervisor this call started (after a takeover, no longer the one in charge). */
  process: ChildProcess;
  /** A temporary folder for this server (its database and key file unless the caller named others); removed on stop. */
  dir: string;
  env: Record<string, string>;
  /** Everything the server printed. */
  output(): string;
  /** The supervisor now in charge of the port, as its lock says. */
  supervisor(): Promise<number | undefined>;
  /** Process ids of the workers of the current supervisor. */
  workers(): Promise<number[]>;
  stop(): Promise<void>;
}

/** A port the OS just handed out and released, so nothing else is listening on it. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') done(address.port);
        else fail(new Error('no port'));
      });
    });
  });
}

/** The children of a process, read from /proc (Linux, where the tests run). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may contain spaces; the parent id is the second field after it.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return children;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function askLock(host: string, port: number): Promise<string> {
  return new Promise((done) => {
    const socket = createConnection(`\0dormant-ports:${host}:${port}`);
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
}

export async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-server-'));
  const fullEnv: Record<string, string> = {
    FEEDBACK_DB_URL: `file:${join(dir, 'feedback.db')}`,
    FEEDBACK_KEY_FILE: join(dir, 'feedback.key'),
    ...env,
    HOST: '127.0.0.1',
    PORT: String(port),
  };
  // A process group of its own, so stop() can end every process the server started: its workers, and workers a
  // killed supervisor left behind (they are re-parented, so no longer its children).
  const child = spawn(process.execPath, [join(ROOT, 'src/server/serve.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...fullEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  const supervisor = async () => {
    const answer = await askLock('127.0.0.1', port);
    const pid = /^\w+ (\d+)/.exec(answer)?.[1];
    return pid ? Number(pid) : undefined;
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}:\n${output}`);
      return (await askLock('127.0.0.1', port)).startsWith('ready');
    }, `the server on ${origin}`);
  } catch (error) {
    killGroup(child.pid, 'SIGKILL');
    throw error;
  }
  return {
    origin,
    port,
    process: child,
    dir,
    env: fullEnv,
    output: () => output,
    supervisor,
    workers: async () => {
      const pid = await supervisor();
      return pid ? childrenOf(pid) : [];
    },
    stop: async () => {
      const pids = new Set<number>();
      if (child.exitCode === null && child.signalCode === null && child.pid) pids.add(child.pid);
      // A supervisor that took over runs in a group of its own (serve.ts starts it detached).
      const current = await supervisor();
      if (current) pids.add(current);
      for (const pid of [...pids]) childrenOf(pid).forEach((worker) => pids.add(worker));
      for (const pid of pids) signal(pid, 'SIGTERM');
      try {
        await waitFor(() => [...pids].every((pid) => !isRunning(pid) || isZombie(pid)), 'the server to stop', 15_000);
      } finally {
        // Whatever is left in either group — a worker orphaned by a killed supervisor that never saw its
        // successor, a process that would not stop — is killed, so no process outlives its test; and the pipes
        // are closed, since a descendant this missed would hold them open and keep the test process alive.
        killGroup(child.pid, 'SIGKILL');
        killGroup(current, 'SIGKILL');
        for (const pid of pids) signal(pid, 'SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function killGroup(leader: number | undefined, name: NodeJS.Signals): void {
  if (leader) signal(-leader, name);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
