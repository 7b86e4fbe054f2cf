/**
 * A throwaway PostgreSQL cluster for tests that need the real server: `initdb` into a temp dir, the server on a
 * free 127.0.0.1 port, one database owned by one role with a random password.
 *
 *   const reason = postgresUnavailable();
 *   test('…', { skip: reason }, async () => {
 *     const pg = await startPostgres();
 *     after(() => pg.destroy());
 *     // hand pg.url to the code under test; assert with pg.psql('SELECT count(*) FROM feedback');
 *     await pg.stop(); // …the app sees the database go away…
 *     await pg.start(); // …and come back on the same port with the same data.
 *   });
 *
 * Install: `apt-get install postgresql` (Debian/Ubuntu; the binaries land in /usr/lib/postgresql/<major>/bin, the
 * newest of which is used, and the cluster the package itself starts is not needed). Elsewhere put initdb and
 * pg_ctl on PATH or point POSTGRES_BIN at their directory. PostgreSQL 10 or later (SCRAM passwords).
 *
 * PostgreSQL refuses to run as root, so when the tests run as root (CI) the server binaries run as the `postgres`
 * user the Debian package creates (else `nobody`), through setpriv or runuser, and the temp dir is handed to that
 * user; os.tmpdir() must then be reachable by it (/tmp is).
 *
 * Cleanup: destroy() stops the server and removes the dir. A process that exits without calling it stops the
 * server and removes the dir from an exit hook. A process killed outright (SIGKILL, a crash, a runner timeout)
 * runs no hook, so each cluster also has a detached watchdog shell that waits on a pipe from this process and
 * does the same once the pipe closes. Not covered: the watchdog itself being killed, or the machine going down
 * (then the postmaster still stops by itself within about a minute of its data dir being removed, and a reboot
 * clears /tmp).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { childrenOf, freePort } from './server.ts';

export interface PostgresOptions {
  /** The database to create; default `dormant_ports`. */
  database?: string;
  /** The login role that owns it; default `dormant_ports`. */
  user?: string;
  /** Extra postgresql.conf settings, e.g. `{ fsync: 'off', max_connections: 200 }`. */
  settings?: Readonly<Record<string, string | number | boolean>>;
}

export interface PostgresCluster {
  /** `postgres://user:password@127.0.0.1:port/database`, password auth over TCP. */
  url: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** The cluster's data directory; it survives stop() and goes with destroy(). */
  dataDir: string;
  /** The directory holding the server's unix socket (trust auth). */
  socketDir: string;
  /**
   * Shuts the server down, keeping the data. 'fast' (default) aborts open transactions and disconnects clients;
   * 'immediate' kills it like a crash, so the next start() runs crash recovery.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the server again on the same port with the same data; resolves once it accepts connections. */
  start(): Promise<void>;
  /**
   * Freezes every process of the server (SIGSTOP), as a stall does — a saturated disk, a swapping machine, a
   * paused VM: connections stay open and nothing answers. `resume()` lets them go on where they stopped.
   */
  pause(): void;
  resume(): void;
  /** Stops the server and removes the temp dir; the cluster is unusable afterwards. */
  destroy(): Promise<void>;
  /**
   * Runs SQL through psql as the superuser over the unix socket, in the cluster's database, stopping at the first
   * error. Returns the rows unaligned (`|` between fields, one row a line) without headers or trailing newline.
   */
  psql(sql: string): Promise<string>;
  /** The server's log so far. */
  serverLog(): string;
}

const SUPERUSER = 'postgres';
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const START_TIMEOUT_S = 30;

interface Identity {
  name: string;
  uid: number;
  gid: number;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (!binDir()) {
    return 'PostgreSQL not installed: apt-get install postgresql (or set POSTGRES_BIN to the directory with initdb and pg_ctl)';
  }
  if (isRoot()) {
    if (!serverIdentity())
      return 'running as root, but there is neither a postgres nor a nobody user to run PostgreSQL as';
    if (!findExecutable('setpriv') && !findExecutable('runuser')) {
      return 'running as root, but neither setpriv nor runuser (util-linux) is there to drop privileges for PostgreSQL';
    }
  }
  return undefined;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const reason = postgresUnavailable();
  if (reason) throw new Error(reason);
  const bin = binDir() as string;
  const database = options.database ?? 'dormant_ports';
  const user = options.user ?? 'dormant_ports';
  for (const name of [database, user]) {
    if (!IDENTIFIER.test(name)) throw new Error(`${JSON.stringify(name)} is not a plain lower-case SQL identifier`);
  }
  const identity = isRoot() ? serverIdentity() : undefined;

  const dir = mkdtempSync(join(tmpdir(), 'dormant-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  mkdirSync(socketDir);
  if (identity) {
    chownSync(dir, identity.uid, identity.gid);
    chownSync(socketDir, identity.uid, identity.gid);
  }

  const env = serverEnv(dir);
  const pgCtl = (args: string[]): [string, string[]] => asUser(identity, join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
  let port = 0;
  let running = false;
  // pg_ctl can give up waiting on a server that then comes up after all; the pid file tells.
  const mayRun = () => running || existsSync(join(dataDir, 'postmaster.pid'));
  const password = randomBytes(16).toString('hex');

  const entry: Entry = {
    dir,
    stopSync: () => {
      resume();
      if (mayRun())
        spawnSync(...pgCtl(['stop', '-m', 'immediate', '-w', '-t', '10']), { cwd: dir, env, stdio: 'ignore' });
    },
    watchdog: startWatchdog(dir, pgCtl(['stop', '-m', 'immediate', '-w'])),
  };
  entries.add(entry);

  const serverLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const withLog = (message: string) => {
    const tail = serverLog().trimEnd().split('\n').slice(-30).join('\n');
    return new Error(`${message}\n--- last lines of ${logFile} ---\n${tail || '(empty)'}`);
  };

  const start = async () => {
    if (running) return;
    const [command, args] = pgCtl(['start', '-w', '-t', String(START_TIMEOUT_S), '-l', logFile, '-o', `-p ${port}`]);
    const result = await run(command, args, { cwd: dir, env, timeoutMs: (START_TIMEOUT_S + 5) * 1000 });
    if (result.code !== 0) throw withLog(`PostgreSQL did not start on port ${port}: ${result.stderr.trim()}`);
    running = true;
  };

  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!mayRun()) return;
    const [command, args] = pgCtl(['stop', '-m', mode, '-w', '-t', '60']);
    const result = await run(command, args, { cwd: dir, env, timeoutMs: 65_000 });
    if (result.code !== 0) throw withLog(`PostgreSQL did not stop: ${result.stderr.trim()}`);
    running = false;
  };

  /** The postmaster (first line of postmaster.pid) and every process it started. */
  const serverProcesses = () => {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return [postmaster, ...childrenOf(postmaster)];
  };
  let paused: number[] = [];
  const pause = () => {
    paused = serverProcesses();
    for (const pid of paused) process.kill(pid, 'SIGSTOP');
  };
  const resume = () => {
    for (const pid of paused) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // A process that was on its way out.
      }
    }
    paused = [];
  };

  const psqlArgs = (target: string[]) => ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...target];
  const psql = async (sql: string, db = database) => {
    const target = ['-h', socketDir, '-p', String(port), '-U', SUPERUSER, '-d', db];
    const result = await run(join(bin, 'psql'), psqlArgs(target), { cwd: dir, env, input: sql, timeoutMs: 60_000 });
    if (result.code !== 0)
      throw new Error(`psql failed (exit ${result.code}): ${result.stderr.trim()}\nSQL: ${sql.slice(0, 500)}`);
    return result.stdout.replace(/\n$/, '');
  };

  const destroy = async () => {
    entries.delete(entry);
    // A frozen server cannot stop.
    resume();
    try {
      await stop('immediate');
    } catch {
      // A server that is already gone leaves nothing to stop; the dir goes either way.
    } finally {
      entry.watchdog?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    const [command, args] = asUser(identity, join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      // C collation: the same sort order on every machine, whatever locales it has.
      '--locale=C',
      // Skips fsyncing the fresh cluster: a crash of the machine would take the temp dir with it anyway.
      '--no-sync',
    ]);
    const init = await run(command, args, { cwd: dir, env, timeoutMs: 120_000 });
    if (init.code !== 0)
      throw new Error(`initdb failed (exit ${init.code}): ${init.stderr.trim() || init.stdout.trim()}`);

    const settings: Record<string, string | number | boolean> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketDir,
      // The defaults are sized for a real server; a test cluster starts faster and is kinder to CI with less.
      shared_buffers: '16MB',
      huge_pages: 'off',
      // No replicas, so the least WAL; bulk loads in tests write less.
      wal_level: 'minimal',
      max_wal_senders: 0,
      // Releases before 14 default to md5 hashes, which the scram-sha-256 lines in pg_hba.conf would refuse.
      password_encryption: 'scram-sha-256',
      timezone: 'UTC',
      log_timezone: 'UTC',
      // Tests may match server messages; translated ones would not match.
      lc_messages: 'C',
      ...options.settings,
    };
    const lines = Object.entries(settings).map(([key, value]) => `${key} = '${String(value).replaceAll("'", "''")}'`);
    const confPath = join(dataDir, 'postgresql.conf');
    writeFileSync(confPath, `${readFileSync(confPath, 'utf8')}\n# tests/support/postgres.ts\n${lines.join('\n')}\n`);

    // Another process can take the port between freePort() and the bind; only the first start may move.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 3 || !/could not bind|address already in use/i.test(serverLog())) throw error;
      }
    }

    await psql(
      `CREATE ROLE ${user} LOGIN PASSWORD '${password}';\nCREATE DATABASE ${database} OWNER ${user};\n`,
      'postgres',
    );
    const url = `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
    // Proves the URL the tests get, password and all, rather than only the trusted socket.
    const check = await run(join(bin, 'psql'), psqlArgs(['-d', url, '-c', 'SELECT 1']), {
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
    if (check.code !== 0 || check.stdout.trim() !== '1') {
      throw withLog(`PostgreSQL refused ${url}: ${check.stderr.trim()}`);
    }

    return {
      url,
      port,
      database,
      user,
      password,
      dataDir,
      socketDir,
      stop,
      start,
      pause,
      resume,
      destroy,
      psql: (sql) => psql(sql),
      serverLog,
    };
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
}

interface Entry {
  dir: string;
  stopSync: () => void;
  watchdog: ChildProcess | undefined;
}

const entries = new Set<Entry>();

// Only synchronous work runs in an exit hook, which is all this needs.
process.on('exit', () => {
  for (const entry of entries) {
    try {
      entry.stopSync();
    } finally {
      entry.watchdog?.kill();
      rmSync(entry.dir, { recursive: true, force: true });
    }
  }
});

/**
 * A detached shell that blocks reading a pipe only this process writes to. The kernel closes the pipe whenever
 * this process ends, however it ends, and the shell then runs `stop` and removes `dir`. Detached, so a Ctrl-C or a
 * kill of the process group does not take it along.
 */
function startWatchdog(dir: string, [command, args]: [string, string[]]): ChildProcess | undefined {
  try {
    const watchdog = spawn(
      '/bin/sh',
      ['-c', 'read _; dir=$1; shift; "$@" >/dev/null 2>&1; rm -rf "$dir"', 'watchdog', dir, command, ...args],
      { detached: true, stdio: ['pipe', 'ignore', 'ignore'], cwd: tmpdir() },
    );
    watchdog.on('error', () => undefined);
    // Neither the watchdog nor its pipe may keep the test process alive.
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** The newest install's bin directory that has everything startPostgres needs. */
function binDir(): string | undefined {
  const needed = ['initdb', 'pg_ctl', 'postgres', 'psql'];
  const has = (dir: string) => needed.every((name) => existsSync(join(dir, name)));
  const fromEnv = process.env['POSTGRES_BIN'];
  if (fromEnv) return has(fromEnv) ? fromEnv : undefined;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [...versions.map((version) => join(debian, version, 'bin')), ...pathDirs()];
  return candidates.find(has);
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function serverIdentity(): Identity | undefined {
  for (const name of ['postgres', 'nobody']) {
    const uid = idOf(name, '-u');
    const gid = idOf(name, '-g');
    if (uid !== undefined && gid !== undefined && uid !== 0) return { name, uid, gid };
  }
  return undefined;
}

function idOf(name: string, flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' });
  const value = Number(result.stdout.trim());
  return result.status === 0 && Number.isInteger(value) ? value : undefined;
}

/** The command line that runs `command` as `identity`, or as this process when there is none. */
function asUser(identity: Identity | undefined, command: string, args: string[]): [string, string[]] {
  if (!identity) return [command, args];
  // setpriv execs the command itself: no PAM session, no process in between, exit codes as they are.
  const setpriv = findExecutable('setpriv');
  if (setpriv) {
    const ids = ['--reuid', String(identity.uid), '--regid', String(identity.gid), '--clear-groups'];
    return [setpriv, [...ids, '--', command, ...args]];
  }
  return [findExecutable('runuser') ?? 'runuser', ['-u', identity.name, '--', command, ...args]];
}

function pathDirs(): string[] {
  return [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
}

function findExecutable(name: string): string | undefined {
  return pathDirs()
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

/** The environment less PG* variables, which would point psql and the server elsewhere, and locale ones. */
function serverEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(PG|LC_)|^LANG$/.test(key)));
  // The server user cannot read root's home, and psql looks there; C messages are the ones tests can match.
  return { ...env, HOME: home, LC_ALL: 'C' };
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
